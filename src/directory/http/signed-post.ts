import { signatureHeader } from '../../signature/resetd-signature.ts';
import type { BoundedAnswer } from '../outbound/bounded-fetch.ts';
import { boundedFetch } from '../outbound/bounded-fetch.ts';

export { CallFailure } from '../outbound/bounded-fetch.ts';
export type CallAnswer = BoundedAnswer;

/** The most of an answer resetd reads: an account or a few reasons fit easily; a flood does not. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs `payload` as JSON, signed like the webhook. Redirects are never followed (a 3xx is
 * just a status here), so a signed password cannot be bounced to another host.
 */
export function signedPost(url: string, secret: string, timeoutMs: number, payload: object): Promise<CallAnswer> {
  const body = JSON.stringify(payload);
  return boundedFetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      // An HMAC of the body: the secret itself never leaves resetd.
      'resetd-signature': signatureHeader(secret, body),
    },
    body,
    timeoutMs,
    maxAnswerBytes: MAX_ANSWER_BYTES,
  });
}
