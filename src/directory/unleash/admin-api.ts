/** The most of an answer resetd reads: a search that matches a few hundred users fits; a flood does not. */
export const MAX_ANSWER_BYTES = 256 * 1024;

/** An answer whose body has not been read yet: read only when the status needs it. */
export interface AdminAnswer {
  status: number;
  /** The body as UTF-8 text, at most MAX_ANSWER_BYTES; throws a CallFailure beyond that. */
  text(): Promise<string>;
  /** Drops the body unread, so the connection is freed. */
  discard(): Promise<void>;
}

/** Why a call got no usable answer; the message is fit for a log (no body, no token, no address). */
export class CallFailure extends Error {
  override name = 'CallFailure';
}

export type AdminCall = (method: 'GET' | 'POST', path: string, body?: object) => Promise<AdminAnswer>;

/**
 * Calls Unleash's admin API with the token. `path` is appended to UNLEASH_URL's own path, so
 * an Unleash under a base path (https://example.com/unleash) works. Redirects are never
 * followed: the token and a new password go to UNLEASH_URL and nowhere else.
 */
export function adminApi(url: string, token: string, timeoutMs: number): AdminCall {
  const base = new URL(url);
  const root = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  return async (method, path, body) => {
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, {
        method,
        headers: {
          authorization: token,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        redirect: 'manual',
        // Covers reading the body too: a trickling answer is cut off at the same time limit.
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // fetch names a header value it refuses: never let that be the token.
      throw new CallFailure(describe(error, timeoutMs).split(token).join('[UNLEASH_API_TOKEN]'));
    }
    return {
      status: response.status,
      text: () => readCapped(response, timeoutMs),
      discard: async () => {
        await response.body?.cancel().catch(() => undefined);
      },
    };
  };
}

async function readCapped(response: Response, timeoutMs: number): Promise<string> {
  const tooLarge = `the answer is larger than ${MAX_ANSWER_BYTES} bytes`;
  if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new CallFailure(tooLarge);
  }
  if (!response.body) return '';
  // Counted as it arrives (after decompression), so neither a chunked flood nor a gzip bomb is held.
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
        throw new CallFailure(tooLarge);
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
