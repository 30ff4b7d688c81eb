import { signatureHeader } from '../../signature/resetd-signature.ts';

/** The most of an answer resetd reads: an account or a few reasons fit easily; a flood does not. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** An answer whose body has not been read yet: the caller reads it only when the status needs it. */
export interface CallAnswer {
  status: number;
  /** The body as UTF-8 text, at most MAX_ANSWER_BYTES; throws a CallFailure beyond that. */
  text(): Promise<string>;
  /** Drops the body unread, so the connection is freed. */
  discard(): Promise<void>;
}

/** Why a call got no usable answer; the message is safe for a log line (no body, no secret). */
export class CallFailure extends Error {
  override name = 'CallFailure';
}

/**
 * POSTs `payload` as JSON, signed like the webhook. Redirects are never followed (a 3xx is
 * just a status here), so a signed password cannot be bounced to another host.
 */
export async function signedPost(url: string, secret: string, timeoutMs: number, payload: object): Promise<CallAnswer> {
  const body = JSON.stringify(payload);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'resetd-signature': signatureHeader(secret, body),
      },
      body,
      redirect: 'manual',
      // Covers reading the body too: a trickling answer is cut off at the same time limit.
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CallFailure(describe(error, timeoutMs));
  }
  return {
    status: response.status,
    text: () => readCapped(response, timeoutMs),
    discard: async () => {
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

async function readCapped(response: Response, timeoutMs: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new CallFailure(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
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
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new CallFailure(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof CallFailure) throw error;
    throw new CallFailure(describe(error, timeoutMs));
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
