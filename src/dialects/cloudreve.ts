import { randomUUID } from 'node:crypto';
import type { components } from '../../generated/api.ts';
import type { Dialect, DialectCompletion, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, isAbsent, retryAfter } from './dialect.ts';
import { passwordProblemMessage } from '../messages/password-problems.ts';

type Envelope = components['schemas']['CloudreveResponse'];
type Body = components['schemas']['CloudreveResetRequest'];

/** Cloudreve's codes (pkg/serializer/error.go): 0 success, 40001 parameter, 40019 feature off, 40026 CAPTCHA, 40029 invalid link, 50001 database. */
const CODE = { ok: 0, param: 40001, featureOff: 40019, captcha: 40026, invalidLink: 40029, notFound: 404, database: 50001 } as const;

/** Cloudreve answers HTTP 200 with the outcome in `code`; failures carry a correlation id. */
const envelope = (code: number, msg: string, error?: string, status = 200): Reply => ({
  status,
  body: (code === CODE.ok
    ? { code, msg }
    : { code, msg, ...(error && { error }), correlation_id: randomUUID() }) satisfies Envelope,
});

function failure(f: RequestFailure): Reply {
  switch (f.kind) {
    case 'invalid':
      return isAbsent(f)
        ? envelope(CODE.param, 'Email cannot be empty', `${f.field}: required`)
        : envelope(CODE.param, 'Parameter error', `${f.field}: ${f.problem}`);
    case 'unreadable':
      return envelope(CODE.param, 'Parameter error', 'the body is not valid JSON');
    case 'captcha-mismatch':
      return envelope(CODE.captcha, 'CAPTCHA not match.');
    case 'unsupported-media-type':
      return envelope(CODE.param, 'Parameter error', 'the body must be application/json');
    case 'too-large':
      return envelope(CODE.param, 'Request body too large', undefined, 413);
    case 'rate-limited':
      return retryAfter(envelope(CODE.param, 'Too many requests, try again later', undefined, 429), f.retryAfterSeconds);
    case 'disabled':
      return envelope(CODE.featureOff, 'Password reset is not enabled');
    case 'not-found':
      return envelope(CODE.notFound, 'Not found', undefined, 404);
    case 'unauthorized':
      return envelope(401, 'Login required');
    case 'internal':
      return envelope(CODE.database, 'Database operation failed');
  }
}

type ResetPassword = components['schemas']['CloudreveResetPassword'];

/** Cloudreve's front end PATCHes user/reset/{id} with the secret from its /session/reset link. */
const completion: DialectCompletion = {
  completeOperationId: 'cloudreveResetPassword',
  completeInput: ({ body, params }) => {
    const { password, secret } = body as ResetPassword;
    return { token: secret, password, accountId: String(params.id) };
  },
  completeReply(outcome) {
    switch (outcome.kind) {
      case 'done':
        return envelope(CODE.ok, '');
      case 'weak':
        return envelope(CODE.param, outcome.problems.map((p) => passwordProblemMessage(p, outcome.minLength)).join(' '));
      case 'refused':
        return envelope(CODE.param, outcome.reasons.join(' '));
      case 'unavailable':
        return envelope(CODE.database, 'The password could not be changed right now, try again in a moment');
      case 'rate-limited':
        return retryAfter(envelope(CODE.param, 'Too many failed attempts, try again later', undefined, 429), outcome.retryAfterSeconds);
      default:
        return envelope(CODE.invalidLink, 'The reset link is invalid or has expired');
    }
  },
};

export const cloudreve: Dialect = {
  completion,
  extraOperationIds: ['cloudreveGetCaptcha'],
  // Cloudreve's front end sends the answer as `captcha` and the ticket from site/captcha as `ticket`.
  captcha: ({ body }) => {
    const { captcha, ticket } = body as Body;
    return { ticket: ticket ?? '', answer: captcha ?? '' };
  },
  name: 'cloudreve',
  product: 'Cloudreve',
  naming: 'email',
  operationId: 'cloudreveSendResetEmail',
  field: 'email',
  pathPrefix: '/api/v4/',
  identifier: ({ body }) => (body as Body).email,
  reply: (outcome) => (outcome.kind === 'accepted' ? envelope(CODE.ok, '') : failure(invalidIdentifier('email', outcome))),
  failure,
};
