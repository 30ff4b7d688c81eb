import { randomUUID } from 'node:crypto';
import type { components } from '../../generated/api.ts';
import type { CompleteResetOutcome } from '../core/complete-reset.ts';
import type { Dialect, DialectCompletion, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, isAbsent, retryAfter } from './dialect.ts';
import { passwordProblemMessages } from '../messages/password-problems.ts';

type Envelope = components['schemas']['CloudreveResponse'];
type Body = components['schemas']['CloudreveResetRequest'];

/**
 * Cloudreve's codes (pkg/serializer/error.go): 0 success, 40001 parameter, 40019 feature
 * off, 40026 CAPTCHA, 40030 expired link (what its user/reset/{id} answers for a wrong or
 * expired secret), 50001 database. Its three-digit codes keep their HTTP meaning (401, 403,
 * 404, 409); Cloudreve itself limits neither body size nor request rate, so resetd's
 * limits answer by that rule: 413 and 429, in the envelope, with HTTP 200 as ever.
 */
const CODE = { ok: 0, param: 40001, featureOff: 40019, captcha: 40026, linkExpired: 40030, notFound: 404, tooLarge: 413, tooMany: 429, database: 50001 } as const;

/** Cloudreve answers HTTP 200 with the outcome in `code`; failures carry a correlation id. */
const envelope = (code: number, msg: string, error?: string, status = 200): Reply => ({
  status,
  body: (code === CODE.ok
    ? { code, msg }
    : { code, msg, ...(error && { error }), correlation_id: randomUUID() }) satisfies Envelope,
});

/** The fields as Cloudreve's messages name them (ParamErrorMsg in routers/controllers/main.go). */
const FIELD_NAMES: Record<string, string> = { email: 'Email', password: 'Password', secret: 'Secret' };

/** Cloudreve's message for a field that fails its checks: "Email cannot be empty", "Secret cannot be empty", … */
function invalidMessage(f: Extract<RequestFailure, { kind: 'invalid' }>): string {
  const name = FIELD_NAMES[f.field] ?? f.field;
  if (isAbsent(f)) return `${name} cannot be empty`;
  if (f.problem === 'malformed') return `${name} format error`;
  if (f.problem === 'too-long') return `${name} too long`;
  return f.problem === 'type' ? 'JSON marshall error' : 'Parameter error';
}

function failure(f: RequestFailure): Reply {
  switch (f.kind) {
    case 'invalid':
      return envelope(CODE.param, invalidMessage(f), `${f.field}: ${isAbsent(f) ? 'required' : f.problem}`);
    case 'unreadable':
      return envelope(CODE.param, 'Parameter error', 'the body is not valid JSON');
    case 'captcha-mismatch':
      return envelope(CODE.captcha, 'CAPTCHA not match.');
    case 'unsupported-media-type':
      return envelope(CODE.param, 'Parameter error', 'the body must be application/json');
    case 'too-large':
      return envelope(CODE.tooLarge, 'Request body too large');
    case 'rate-limited':
      return retryAfter(envelope(CODE.tooMany, 'Too many requests, try again later'), f.retryAfterSeconds);
    case 'disabled':
      return envelope(CODE.featureOff, 'Password reset is not enabled');
    case 'not-found':
      // No such route: Cloudreve's router (gin, with no NoRoute handler) answers HTTP 404 before any handler runs.
      return envelope(CODE.notFound, 'Not found', undefined, 404);
    case 'unauthorized':
      return envelope(401, 'Login required');
    case 'internal':
      return envelope(CODE.database, 'Database operation failed');
  }
}

type ResetPassword = components['schemas']['CloudreveResetPassword'];
type User = components['schemas']['CloudreveUser'];
type Completed = components['schemas']['CloudreveResetPasswordResponse'];

/** What Cloudreve's user/reset/{id} answers: the user (BuildUser in service/user/response.go), of which resetd knows these. */
const userOf = (account: Extract<CompleteResetOutcome, { kind: 'done' }>['account']): User => ({
  id: account.id,
  email: account.email,
  nickname: account.name ?? '',
});

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
        return { status: 200, body: { code: CODE.ok, msg: '', data: userOf(outcome.account) } satisfies Completed };
      case 'weak':
        return envelope(CODE.param, passwordProblemMessages(outcome).map((problem) => problem.message).join(' '));
      case 'refused':
        return envelope(CODE.param, outcome.reasons.join(' '));
      case 'unavailable':
        return envelope(CODE.database, 'The password could not be changed right now, try again in a moment');
      case 'rate-limited':
        return retryAfter(envelope(CODE.tooMany, 'Too many failed attempts, try again later'), outcome.retryAfterSeconds);
      default:
        // Cloudreve answers an unknown, wrong or expired secret alike (service/user/login.go).
        return envelope(CODE.linkExpired, 'Link is expired');
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
  errorId: (reply, id) => ((reply.body as Envelope | undefined)?.code ? { ...reply, body: { ...(reply.body as Envelope), correlation_id: id } } : reply),
};
