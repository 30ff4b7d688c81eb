import { STATUS_CODES } from 'node:http';
import type { RequestFailure, Reply } from '../dialects/dialect.ts';
import { retryAfter } from '../dialects/dialect.ts';

/** resetd's own API answers errors as problem details (RFC 9457). */
/** `type` names the kind of problem; plain HTTP errors are `about:blank`. */
export function problem(status: number, detail: string, type = 'about:blank'): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: { type, title: STATUS_CODES[status] ?? 'Error', status, detail },
  };
}

export function resetdFailure(failure: RequestFailure): Reply {
  switch (failure.kind) {
    case 'unauthorized':
      return problem(401, 'A valid bearer token is required.');
    case 'invalid':
      return problem(400, `${failure.field}: ${failure.problem}`);
    case 'unreadable':
      return problem(400, 'The body is not valid JSON.');
    case 'captcha-mismatch':
      return problem(400, 'The captcha answer is not valid.');
    case 'unsupported-media-type':
      return problem(415, `Send the body as ${failure.accepted.join(' or ')}.`);
    case 'too-large':
      return problem(413, 'The body is larger than resetd accepts.');
    case 'rate-limited':
      return retryAfter(problem(429, 'Too many requests from this address. Try again later.'), failure.retryAfterSeconds);
    case 'disabled':
      return problem(404, 'This part of resetd is off.');
    case 'not-found':
      return problem(404, 'No such endpoint.');
    case 'internal':
      return problem(500, 'resetd failed to handle the request; nothing was changed.');
  }
}
