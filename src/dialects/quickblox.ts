import type { components } from '../../generated/api.ts';
import type { Dialect, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, isAbsent, retryAfter } from './dialect.ts';

type Errors = components['schemas']['QuickbloxErrors'];

const errors = (status: number, field: string, message: string): Reply => ({
  status,
  body: { errors: { [field]: [message] } } satisfies Errors,
});

function failure(f: RequestFailure): Reply {
  switch (f.kind) {
    case 'unauthorized':
      return errors(401, 'base', 'Required session does not exist');
    case 'invalid':
      return errors(422, f.field, isAbsent(f) ? "can't be blank" : 'is invalid');
    case 'captcha-mismatch':
    case 'unreadable':
    case 'unsupported-media-type':
    case 'too-large':
      return errors(422, 'base', 'The request cannot be read');
    case 'rate-limited':
      return retryAfter(errors(429, 'base', 'Too many requests, try again later'), f.retryAfterSeconds);
    case 'disabled':
    case 'not-found':
      return { status: 404, body: null };
    case 'internal':
      return errors(500, 'base', 'Internal server error');
  }
}

export const quickblox: Dialect = {
  name: 'quickblox',
  product: 'QuickBlox',
  naming: 'email',
  credentials: { quickbloxSessionToken: { header: 'qb-token' }, quickbloxApiKey: { authorization: 'ApiKey' } },
  operationId: 'quickbloxResetPassword',
  field: 'email',
  pathPrefix: '/users/',
  identifier: ({ query }) => query.email as string,
  // QuickBlox answers a reset with 200 and an empty body.
  reply: (outcome) => (outcome.kind === 'accepted' ? { status: 200 } : failure(invalidIdentifier('email', outcome))),
  failure,
};
