import type { BoundedAnswer } from '../outbound/bounded-fetch.ts';
import { boundedFetch } from '../outbound/bounded-fetch.ts';

export { CallFailure } from '../outbound/bounded-fetch.ts';
export type AdminAnswer = BoundedAnswer;

/** The most of an answer resetd reads: a search that matches a few hundred users fits; a flood does not. */
export const MAX_ANSWER_BYTES = 256 * 1024;

export type AdminCall = (method: 'GET' | 'POST', path: string, body?: object) => Promise<AdminAnswer>;

/**
 * Calls Unleash's admin API with the token. `path` is appended to UNLEASH_URL's own path, so
 * an Unleash under a base path (https://example.com/unleash) works. Redirects are never
 * followed: the token and a new password go to UNLEASH_URL and nowhere else.
 */
export function adminApi(url: string, token: string, timeoutMs: number): AdminCall {
  const base = new URL(url);
  const root = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  return (method, path, body) =>
    boundedFetch(`${root}${path}`, {
      method,
      headers: {
        authorization: token,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs,
      maxAnswerBytes: MAX_ANSWER_BYTES,
      // The token is sent as a header value, and fetch names a header value it refuses.
      secrets: { UNLEASH_API_TOKEN: token },
    });
}
