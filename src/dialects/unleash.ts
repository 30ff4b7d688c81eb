import { randomUUID } from 'node:crypto';
import type { components } from '../../generated/api.ts';
import type { Dialect, DialectCompletion, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, retryAfter } from './dialect.ts';
import { passwordProblemMessages } from '../messages/password-problems.ts';

type UnleashError = components['schemas']['UnleashError'];
type Body = components['schemas']['UnleashEmailSchema'];

/** Unleash's error body: a fresh id per occurrence, a name, a message, and details (the message itself when none other). */
const error = (status: number, name: string, message: string, details: string[] = [message]): Reply => ({
  status,
  body: {
    id: randomUUID(),
    name,
    message,
    details: details.map((detail) => ({ message: detail })),
  } satisfies UnleashError,
});

/** Unleash's OwaspValidationError: the first reason as the message, every reason in details[0].validationErrors. */
const passwordRefused = (reasons: readonly string[]): Reply => ({
  status: 400,
  body: {
    id: randomUUID(),
    name: 'OwaspValidationError',
    message: reasons[0]!,
    details: [{ message: reasons[0]!, validationErrors: [...reasons] }],
  } satisfies UnleashError,
});

const PROBLEMS: Record<Extract<RequestFailure, { kind: 'invalid' }>['problem'], string> = {
  missing: 'is required. It was not present on the data you sent',
  empty: 'must not be empty',
  type: 'must be a string',
  malformed: 'must be an email address',
  'too-long': 'is too long',
  unexpected: 'is not a property of emailSchema',
};

function failure(f: RequestFailure): Reply {
  switch (f.kind) {
    case 'unauthorized':
      return f.credentials === 'missing'
        ? error(401, 'AuthenticationRequired', 'You must log in to use Unleash. Your request had no authorization header, so we could not authorize you.')
        : error(401, 'UnauthorizedError', 'You must log in to use Unleash.');
    case 'invalid': {
      const detail = `The \`${f.field}\` property ${PROBLEMS[f.problem]}.`;
      return error(400, 'BadDataError', 'Request validation failed: your request body or params contain invalid data. Refer to the `details` list for more information.', [detail]);
    }
    case 'captcha-mismatch':
      return error(400, 'BadDataError', 'The captcha answer is not valid.');
    case 'unreadable':
      return error(400, 'BadDataError', 'Request validation failed: your request body contains invalid data: it is not valid JSON.', ['The body is not valid JSON.']);
    case 'unsupported-media-type':
      return error(415, 'ContentTypeError', `We do not accept the content-type you provided (${f.contentType || "you didn't provide one"}). Try using one of the content-types we do accept instead (${f.accepted.join(', ')}) and make sure the body is in the corresponding format.`);
    case 'too-large':
      return error(413, 'ContentTooLarge', 'The request body is larger than this endpoint accepts.');
    case 'rate-limited':
      return tooMany(f.retryAfterSeconds);
    case 'disabled':
    case 'not-found':
      return error(404, 'NotFoundError', 'Could not find the resource you requested.');
    case 'internal':
      return error(500, 'UnknownError', 'Unexpected error. Please try again later.');
  }
}

type ResetPassword = components['schemas']['UnleashResetPassword'];
type TokenUser = components['schemas']['UnleashTokenUser'];

const invalidToken = () => error(401, 'InvalidTokenError', 'Token was not valid');
const usedToken = () => error(403, 'UsedTokenError', 'Token was already used');
// tokenUserSchema requires a role; resetd does not look up the account's role in Unleash.
const UNKNOWN_ROLE = { id: 0, type: 'root', name: 'Unknown', description: "resetd does not look up the account's Unleash role." };
const tooMany = (seconds: number) =>
  retryAfter(error(429, 'TooManyRequestsError', 'Too many requests. Try again later.'), seconds);

/** Unleash's reset page calls validate when it opens, then password with the new one. */
const completion: DialectCompletion = {
  checkOperationId: 'unleashValidateResetToken',
  checkInput: ({ query }) => ({ token: String(query.token) }),
  checkReply(check, token) {
    if (check.kind === 'valid') {
      const { id, email, name } = check.account;
      // Unleash's ids are integers; another directory's id is given as it is.
      const body: TokenUser = { id: /^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : id, email, ...(name && { name }), token, createdBy: 'resetd', role: UNKNOWN_ROLE };
      return { status: 200, body };
    }
    if (check.kind === 'used') return usedToken();
    return check.kind === 'rate-limited' ? tooMany(check.retryAfterSeconds) : invalidToken();
  },
  completeOperationId: 'unleashResetPassword',
  passwordCheckOperationId: 'unleashValidatePassword',
  passwordCheckReply(check) {
    if (check.kind === 'ok') return { status: 200 };
    // Unleash's own reasons first: its page recognises its own sentences and marks its rules with them.
    return passwordRefused([...check.reasons, ...passwordProblemMessages(check).map((problem) => problem.message)]);
  },
  completeInput: ({ body }) => body as ResetPassword,
  completeReply(outcome) {
    switch (outcome.kind) {
      case 'done':
        return { status: 200 };
      case 'weak':
        return passwordRefused(passwordProblemMessages(outcome).map((problem) => problem.message));
      case 'refused':
        return passwordRefused(outcome.reasons);
      case 'used':
        return usedToken();
      case 'unavailable':
        return retryAfter(error(503, 'ServiceUnavailableError', 'The password could not be changed right now. Try again in a moment.'), outcome.retryAfterSeconds);
      case 'rate-limited':
        return tooMany(outcome.retryAfterSeconds);
      default:
        return invalidToken();
    }
  },
};

export const unleash: Dialect = {
  completion,
  name: 'unleash',
  product: 'Unleash',
  naming: 'email',
  // Unleash's API tokens are sent as the whole Authorization header, without a scheme word.
  credentials: { unleashApiToken: { header: 'authorization' } },
  operationId: 'unleashSendResetPasswordEmail',
  field: 'email',
  strictContentType: true,
  pathPrefix: '/auth/reset/',
  identifier: ({ body }) => (body as Body).email,
  reply: (outcome) => (outcome.kind === 'accepted' ? { status: 200, body: {} } : failure(invalidIdentifier('email', outcome))),
  failure,
  errorId: (reply, id) => (reply.status >= 400 && reply.body ? { ...reply, body: { ...(reply.body as UnleashError), id } } : reply),
};
