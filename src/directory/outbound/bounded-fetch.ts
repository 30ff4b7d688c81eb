/** An answer whose body has not been read yet: the caller reads it only when the status needs it. */
export interface BoundedAnswer {
  status: number;
  /** The body as UTF-8 text, at most the call's maxAnswerBytes; throws a CallFailure beyond that. */
  text(): Promise<string>;
  /** Drops the body unread, so the connection is freed. */
  discard(): Promise<void>;
}

/** Why a call got no usable answer; the message is fit for a log (no body, no secret, no address). */
export class CallFailure extends Error {
  override name = 'CallFailure';
}

export interface BoundedCall {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Covers the whole call, reading the body included. */
  timeoutMs: number;
  /** The most of an answer that is read; more is a CallFailure, never held in memory. */
  maxAnswerBytes: number;
  /** Values sent in headers that must never reach a log, by the name shown in their place (`[NAME]`). */
  secrets?: Readonly<Record<string, string>>;
}

/**
 * One outbound HTTP call from a directory to the system that holds the accounts. Redirects are
 * never followed (a 3xx is just a status here), so a secret or a new password cannot be bounced
 * to another host than the configured one.
 */
export async function boundedFetch(url: string, call: BoundedCall): Promise<BoundedAnswer> {
  const failure = (error: unknown) => new CallFailure(redact(describe(error, call.timeoutMs), call.secrets));
  let response: Response;
  try {
    response = await fetch(url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      redirect: 'manual',
      // Covers reading the body too: a trickling answer is cut off at the same time limit.
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (error) {
    throw failure(error);
  }
  return {
    status: response.status,
    text: () => readCapped(response, call.maxAnswerBytes, failure),
    discard: async () => {
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

async function readCapped(response: Response, maxBytes: number, failure: (error: unknown) => CallFailure): Promise<string> {
  const tooLarge = `the answer is larger than ${maxBytes} bytes`;
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new CallFailure(tooLarge);
  }
  if (!response.body) return '';
  // Counted as it arrives (after any decompression), so neither a chunked flood nor a
  // small gzip bomb is ever held in memory.
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new CallFailure(tooLarge);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof CallFailure) throw error;
    throw failure(error);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new CallFailure('the answer is not UTF-8 text');
  }
}

/** fetch's own message is "fetch failed"; the cause (ECONNREFUSED, a TLS error…) is what helps. */
function describe(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = failure.cause?.code ?? failure.cause?.message;
  return cause ? `${failure.message} (${cause})` : String(failure.message ?? error);
}

/** fetch names a header value it refuses (in its message or cause): never let that be a secret. */
function redact(message: string, secrets: Readonly<Record<string, string>> = {}): string {
  let safe = message;
  for (const [name, value] of Object.entries(secrets)) {
    // An empty value would match between every character.
    if (value) safe = safe.split(value).join(`[${name}]`);
  }
  return safe;
}
