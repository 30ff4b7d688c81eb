import type { components } from '../../generated/api.ts';
import type { Dialect, RequestFailure, Reply } from './dialect.ts';
import { invalidIdentifier, isAbsent, retryAfter } from './dialect.ts';

type Result = components['schemas']['MaiascoreResult'];
type Body = components['schemas']['MaiascoreForgotPasswordRequest'];

/** maiascore repeats the HTTP status as `code`; errors read "Error - …". */
const result = (code: number, message: string): Reply => ({
  status: code,
  body: { code, message } satisfies Result,
});

function failure(f: RequestFailure): Reply {
  switch (f.kind) {
    case 'unauthorized':
      return result(403, 'Error - Forbidden');
    case 'invalid':
      return result(400, isAbsent(f) ? "Error - Bad Request: 'id' is required" : "Error - Bad Request: 'id' is not a valid id, username or email");
    case 'unreadable':
      return result(400, 'Error - Bad Request: the body cannot be read');
    case 'captcha-mismatch':
      return result(400, 'Error - Bad Request: the captcha answer is not valid');
    case 'unsupported-media-type':
      return result(415, `Error - Unsupported Media Type: send ${f.accepted.join(', ')}`);
    case 'too-large':
      return result(413, 'Error - Payload Too Large');
    case 'rate-limited':
      return retryAfter(result(429, 'Error - Too Many Requests'), f.retryAfterSeconds);
    case 'disabled':
    case 'not-found':
      return result(404, 'Error - Not Found');
    case 'internal':
      return result(500, 'Error - Server Error');
  }
}

export const maiascore: Dialect = {
  name: 'maiascore',
  product: 'maiascore',
  // "id, username or email", as its API document says.
  naming: 'email-id-or-name',
  credentials: { maiascoreBearer: { authorization: 'Bearer' } },
  operationId: 'maiascoreForgotPassword',
  field: 'id',
  pathPrefix: '/auth/',
  identifier: ({ body }) => (body as Body).id,
  reply: (outcome) => (outcome.kind === 'accepted' ? result(200, 'OK') : failure(invalidIdentifier('id', outcome))),
  failure,
};
