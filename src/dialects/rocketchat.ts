import type { components } from '../../generated/api.ts';
import type { Dialect, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, isAbsent, retryAfter } from './dialect.ts';
import type { LimitCount } from '../limits/rate-limits.ts';

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
      // Rocket.Chat's words (ApiClass.ts): a Meteor.Error's reason, then its name in brackets.
      // The X-RateLimit-* headers come from limitHeaders, as on every reply of the endpoint.
      return retryAfter(
        error(429, `Error, too many requests. Please slow down. You must wait ${f.retryAfterSeconds} seconds before trying this endpoint again. [error-too-many-requests]`),
        f.retryAfterSeconds,
      );
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

/** As Rocket.Chat's ApiClass sets them on every answer of a rate-limited endpoint; Reset is in milliseconds since the epoch. */
const limitHeaders = ({ limit, remaining, resetAt }: LimitCount): Record<string, string> => ({
  'X-RateLimit-Limit': String(limit),
  'X-RateLimit-Remaining': String(remaining),
  'X-RateLimit-Reset': String(resetAt.getTime()),
});

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
  limitHeaders,
};
