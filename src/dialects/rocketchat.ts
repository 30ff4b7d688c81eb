import type { components } from '../../generated/api.ts';
import type { Dialect, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, isAbsent } from './dialect.ts';

type Success = components['schemas']['RocketchatSuccess'];
type Failure = components['schemas']['RocketchatError'];
type Body = components['schemas']['RocketchatForgotPasswordRequest'];

const ok = (): Reply => ({ status: 200, body: { success: true, status: 'success' } satisfies Success });
const error = (status: number, text: string): Reply => ({
  status,
  body: { success: false, error: text } satisfies Failure,
});

function failure(f: RequestFailure): Reply {
  switch (f.kind) {
    case 'invalid':
      return error(400, isAbsent(f) ? "The 'email' param is required" : "The 'email' param must be a valid email address");
    case 'unreadable':
      return error(400, 'The request body is not valid JSON');
    case 'captcha-mismatch':
      return error(400, 'The captcha answer is not valid');
    case 'unsupported-media-type':
      return error(400, 'The request body must be application/json');
    case 'too-large':
      return error(413, 'The request body is too large');
    case 'rate-limited':
      return {
        ...error(429, `Error, too many requests. Please slow down. You must wait ${f.retryAfterSeconds} seconds before trying this endpoint again.`),
        headers: {
          'Retry-After': String(f.retryAfterSeconds),
          'X-RateLimit-Limit': String(f.limit),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(f.resetAt.getTime()),
        },
      };
    case 'disabled':
      return error(400, 'Password reset is not enabled');
    case 'not-found':
      return error(404, 'Resource not found');
    case 'unauthorized':
      return error(401, 'You must be logged in to do this.');
    case 'internal':
      return error(500, 'Internal server error');
  }
}

export const rocketchat: Dialect = {
  name: 'rocketchat',
  product: 'Rocket.Chat',
  naming: 'email',
  operationId: 'rocketchatForgotPassword',
  field: 'email',
  pathPrefix: '/api/v1/',
  identifier: ({ body }) => (body as Body).email,
  reply: (outcome) => (outcome.kind === 'accepted' ? ok() : failure(invalidIdentifier('email', outcome))),
  failure,
};
