import { describe, expect, it } from 'vitest';
import type { CompleteResetOutcome } from '../../src/core/complete-reset.ts';
import type { DialectName } from '../../src/core/dialects.ts';
import type { Dialect, RequestFailure, Reply } from '../../src/dialects/dialect.ts';
import { DIALECT_TABLE, dialectForPath } from '../../src/dialects/index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every failure a dialect must answer, one of each kind (and each `unauthorized` variant). */
const FAILURES: Record<string, RequestFailure> = {
  'unauthorized (missing credentials)': { kind: 'unauthorized', credentials: 'missing' },
  'unauthorized (wrong credentials)': { kind: 'unauthorized', credentials: 'wrong' },
  'invalid (missing)': { kind: 'invalid', field: 'email', problem: 'missing' },
  'invalid (empty)': { kind: 'invalid', field: 'email', problem: 'empty' },
  'invalid (type)': { kind: 'invalid', field: 'email', problem: 'type' },
  'invalid (malformed)': { kind: 'invalid', field: 'email', problem: 'malformed' },
  'invalid (too-long)': { kind: 'invalid', field: 'email', problem: 'too-long' },
  'invalid (unexpected)': { kind: 'invalid', field: 'email', problem: 'unexpected' },
  unreadable: { kind: 'unreadable' },
  'unsupported-media-type': {
    kind: 'unsupported-media-type',
    contentType: 'text/plain',
    accepted: ['application/json'],
  },
  'too-large': { kind: 'too-large' },
  'rate-limited': { kind: 'rate-limited', retryAfterSeconds: 42, limit: 30, resetAt: new Date(0) },
  'captcha-mismatch': { kind: 'captcha-mismatch' },
  disabled: { kind: 'disabled' },
  'not-found': { kind: 'not-found' },
  internal: { kind: 'internal' },
};

type FailureStatuses = Record<RequestFailure['kind'], number>;

interface Fixture {
  /** A request that carries a different address in the body and in the query string. */
  identifierRead: string;
  accepted: Reply;
  /** The reply to `{kind: 'invalid', reason: 'empty'}`. */
  empty: (reply: Reply) => void;
  /** The reply to `{kind: 'invalid', reason: 'malformed'}`. */
  malformed: (reply: Reply) => void;
  failureStatus: FailureStatuses;
  /** The shape every failure body of this dialect has (statuses aside). */
  failureShape: (reply: Reply) => void;
}

/** Both places an address can come from; each names where it was found. */
const INPUT = {
  body: { email: 'body-email@example.com', id: 'body-id@example.com' },
  query: { email: 'query-email@example.com' },
};

const FIXTURES: Record<DialectName, Fixture> = {
  rocketchat: {
    identifierRead: 'body-email@example.com',
    accepted: { status: 200, body: { success: true, status: 'success' } },
    empty: (reply) => expect(reply).toEqual({ status: 400, body: { success: false, error: "The 'email' param is required" } }),
    malformed: (reply) =>
      expect(reply).toEqual({ status: 400, body: { success: false, error: "The 'email' param must be a valid email address" } }),
    failureStatus: {
      unauthorized: 401,
      invalid: 400,
      unreadable: 400,
      'unsupported-media-type': 400,
      'too-large': 413,
      'rate-limited': 429,
      'captcha-mismatch': 400,
      disabled: 400,
      'not-found': 404,
      internal: 500,
    },
    failureShape: (reply) => expect(reply.body).toEqual({ success: false, error: expect.any(String) }),
  },
  maiascore: {
    identifierRead: 'body-id@example.com',
    accepted: { status: 200, body: { code: 200, message: 'OK' } },
    empty: (reply) =>
      expect(reply).toEqual({ status: 400, body: { code: 400, message: "Error - Bad Request: 'id' is required" } }),
    malformed: (reply) => expect(reply).toEqual({ status: 400, body: { code: 400, message: expect.stringMatching(/^Error - Bad Request: 'id' /) } }),
    failureStatus: {
      unauthorized: 403,
      invalid: 400,
      unreadable: 400,
      'unsupported-media-type': 415,
      'too-large': 413,
      'rate-limited': 429,
      'captcha-mismatch': 400,
      disabled: 404,
      'not-found': 404,
      internal: 500,
    },
    // maiascore repeats the HTTP status as `code`.
    failureShape: (reply) =>
      expect(reply.body).toEqual({ code: reply.status, message: expect.stringMatching(/^Error - /) }),
  },
  unleash: {
    identifierRead: 'body-email@example.com',
    accepted: { status: 200, body: {} },
    empty: (reply) =>
      expect(reply).toEqual({
        status: 400,
        body: {
          id: expect.stringMatching(UUID),
          name: 'BadDataError',
          message: expect.stringContaining('details'),
          details: [{ message: 'The `email` property must not be empty.' }],
        },
      }),
    malformed: (reply) =>
      expect(reply).toMatchObject({
        status: 400,
        body: { name: 'BadDataError', details: [{ message: 'The `email` property must be an email address.' }] },
      }),
    failureStatus: {
      unauthorized: 401,
      invalid: 400,
      unreadable: 400,
      'unsupported-media-type': 415,
      'too-large': 413,
      'rate-limited': 429,
      'captcha-mismatch': 400,
      disabled: 404,
      'not-found': 404,
      internal: 500,
    },
    failureShape: (reply) =>
      expect(reply.body).toMatchObject({ id: expect.stringMatching(UUID), name: expect.any(String), message: expect.any(String) }),
  },
  cloudreve: {
    identifierRead: 'body-email@example.com',
    accepted: { status: 200, body: { code: 0, msg: '' } },
    empty: (reply) =>
      expect(reply).toEqual({
        status: 200,
        body: {
          code: 40001,
          msg: 'Email cannot be empty',
          error: expect.any(String),
          correlation_id: expect.stringMatching(UUID),
        },
      }),
    malformed: (reply) =>
      expect(reply).toMatchObject({ status: 200, body: { code: 40001, correlation_id: expect.stringMatching(UUID) } }),
    // Cloudreve answers HTTP 200 and puts the outcome in `code`, resetd's own limits included;
    // only a path with no route is HTTP 404, as Cloudreve's router answers it.
    failureStatus: {
      unauthorized: 200,
      invalid: 200,
      unreadable: 200,
      'unsupported-media-type': 200,
      'too-large': 200,
      'rate-limited': 200,
      'captcha-mismatch': 200,
      disabled: 200,
      'not-found': 404,
      internal: 200,
    },
    failureShape: (reply) => {
      expect(reply.body).toMatchObject({ msg: expect.any(String), correlation_id: expect.stringMatching(UUID) });
      // A failure never looks like success (code 0).
      expect((reply.body as { code: unknown }).code).toEqual(expect.any(Number));
      expect((reply.body as { code: number }).code).not.toBe(0);
    },
  },
  quickblox: {
    identifierRead: 'query-email@example.com',
    accepted: { status: 200, body: undefined },
    empty: (reply) => expect(reply).toEqual({ status: 422, body: { errors: { email: ["can't be blank"] } } }),
    malformed: (reply) => expect(reply).toEqual({ status: 422, body: { errors: { email: ['is invalid'] } } }),
    failureStatus: {
      unauthorized: 401,
      invalid: 422,
      unreadable: 422,
      'unsupported-media-type': 422,
      'too-large': 422,
      'rate-limited': 429,
      'captcha-mismatch': 422,
      disabled: 404,
      'not-found': 404,
      internal: 500,
    },
    failureShape: (reply) => {
      if (reply.status === 404) {
        expect(reply.body).toBeNull();
        return;
      }
      const errors = (reply.body as { errors: Record<string, unknown> }).errors;
      expect(Object.keys(errors).length).toBeGreaterThan(0);
      for (const messages of Object.values(errors)) expect(messages).toEqual([expect.any(String)]);
    },
  },
};

const dialects = Object.entries(FIXTURES) as Array<[DialectName, Fixture]>;
const dialectOf = (name: DialectName): Dialect => DIALECT_TABLE[name];

it('the table covers every dialect resetd speaks, under its own name', () => {
  expect(Object.keys(DIALECT_TABLE).sort()).toEqual(Object.keys(FIXTURES).sort());
  for (const [name, dialect] of Object.entries(DIALECT_TABLE)) expect(dialect.name).toBe(name);
});

describe.each(dialects)('%s', (name, fixture) => {
  const dialect = dialectOf(name);

  it('reads the account from the field its product uses', () => {
    expect(dialect.identifier(INPUT)).toBe(fixture.identifierRead);
  });

  it("answers an accepted reset with its product's success", () => {
    const reply = dialect.reply({ kind: 'accepted', outboxId: 'rr_1' });
    expect(reply.status).toBe(fixture.accepted.status);
    expect(reply.body).toStrictEqual(fixture.accepted.body);
  });

  it("answers an empty address with its product's documented error", () => {
    fixture.empty(dialect.reply({ kind: 'invalid', reason: 'empty' }));
  });

  it('answers a malformed address with an error that does not say "required"', () => {
    const reply = dialect.reply({ kind: 'invalid', reason: 'malformed' });
    fixture.malformed(reply);
    expect(JSON.stringify(reply.body)).not.toMatch(/required|blank|cannot be empty/i);
  });

  it('answers a too-long address as an invalid one, in its error shape', () => {
    const reply = dialect.reply({ kind: 'invalid', reason: 'too-long' });
    expect(reply.status).toBe(fixture.failureStatus.invalid);
    fixture.failureShape(reply);
  });

  it.each(Object.entries(FAILURES))('answers %s with its status and error shape', (_label, failure) => {
    const reply = dialect.failure(failure);
    expect(reply.status).toBe(fixture.failureStatus[failure.kind]);
    expect(reply).toHaveProperty('body');
    fixture.failureShape(reply);
  });

  it('never answers a failure with its success reply', () => {
    const success = JSON.stringify(dialect.reply({ kind: 'accepted', outboxId: 'rr_1' }));
    for (const failure of Object.values(FAILURES)) {
      expect(JSON.stringify(dialect.failure(failure))).not.toBe(success);
    }
  });

  it('no failure reply carries a stack trace', () => {
    for (const failure of Object.values(FAILURES)) {
      expect(JSON.stringify(dialect.failure(failure) ?? null)).not.toMatch(/\bat .+:\d+:\d+|stack/i);
    }
  });
});

describe('answers that differ per occurrence', () => {
  it('each Unleash error has a fresh id', () => {
    const first = DIALECT_TABLE.unleash.failure({ kind: 'internal' }).body as { id: string };
    const second = DIALECT_TABLE.unleash.failure({ kind: 'internal' }).body as { id: string };
    expect(first.id).not.toBe(second.id);
  });

  it('each Cloudreve failure has a fresh correlation id', () => {
    const first = DIALECT_TABLE.cloudreve.reply({ kind: 'invalid', reason: 'empty' }).body as { correlation_id: string };
    const second = DIALECT_TABLE.cloudreve.reply({ kind: 'invalid', reason: 'empty' }).body as { correlation_id: string };
    expect(first.correlation_id).not.toBe(second.correlation_id);
  });
});

describe('details each product puts in its errors', () => {
  it('Unleash tells apart missing and wrong credentials', () => {
    const missing = DIALECT_TABLE.unleash.failure({ kind: 'unauthorized', credentials: 'missing' }).body;
    const wrong = DIALECT_TABLE.unleash.failure({ kind: 'unauthorized', credentials: 'wrong' }).body;
    expect(missing).toMatchObject({ name: 'AuthenticationRequired' });
    expect(wrong).toMatchObject({ name: 'UnauthorizedError' });
  });

  it('Unleash names the content type it got and the ones it accepts', () => {
    const body = DIALECT_TABLE.unleash.failure({
      kind: 'unsupported-media-type',
      contentType: 'text/plain',
      accepted: ['application/json'],
    }).body as { name: string; message: string };
    expect(body.name).toBe('ContentTypeError');
    expect(body.message).toContain('text/plain');
    expect(body.message).toContain('application/json');
  });

  it('maiascore lists the content types it accepts', () => {
    const reply = DIALECT_TABLE.maiascore.failure({
      kind: 'unsupported-media-type',
      contentType: 'text/plain',
      accepted: ['application/json', 'application/xml', 'application/x-www-form-urlencoded'],
    });
    expect((reply.body as { message: string }).message).toContain('application/xml');
  });

  it('Cloudreve uses its own codes: 40001 parameter error, 40019 feature off', () => {
    expect(DIALECT_TABLE.cloudreve.failure({ kind: 'unreadable' }).body).toMatchObject({ code: 40001 });
    expect(DIALECT_TABLE.cloudreve.failure({ kind: 'disabled' }).body).toMatchObject({ code: 40019 });
  });

  it('Cloudreve answers a too-large body with HTTP 200 and code 413', () => {
    expect(DIALECT_TABLE.cloudreve.failure({ kind: 'too-large' })).toEqual({
      status: 200,
      body: { code: 413, msg: 'Request body too large', correlation_id: expect.stringMatching(UUID) },
    });
  });

  it('Cloudreve answers a rate limit with HTTP 200, code 429 and Retry-After', () => {
    expect(DIALECT_TABLE.cloudreve.failure({ kind: 'rate-limited', retryAfterSeconds: 42, limit: 30, resetAt: new Date(0) })).toEqual({
      status: 200,
      body: { code: 429, msg: 'Too many requests, try again later', correlation_id: expect.stringMatching(UUID) },
      headers: { 'Retry-After': '42' },
    });
  });

  it.each([
    ['email', 'missing', 'Email cannot be empty'],
    ['secret', 'missing', 'Secret cannot be empty'],
    ['secret', 'empty', 'Secret cannot be empty'],
    ['password', 'missing', 'Password cannot be empty'],
    ['email', 'malformed', 'Email format error'],
    ['password', 'too-long', 'Password too long'],
  ] as const)('Cloudreve names the field in its own words: %s %s → "%s"', (field, problem, msg) => {
    expect(DIALECT_TABLE.cloudreve.failure({ kind: 'invalid', field, problem }).body).toMatchObject({ code: 40001, msg });
  });

  it('Rocket.Chat words its 429 as its server does, ending with [error-too-many-requests], with Retry-After', () => {
    expect(DIALECT_TABLE.rocketchat.failure({ kind: 'rate-limited', retryAfterSeconds: 42, limit: 30, resetAt: new Date(0) })).toEqual({
      status: 429,
      body: {
        success: false,
        error: 'Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]',
      },
      headers: { 'Retry-After': '42' },
    });
  });

  it('Rocket.Chat reports the limit as X-RateLimit-Limit, -Remaining and -Reset (milliseconds since the epoch)', () => {
    const resetAt = new Date('2026-01-02T03:04:05.678Z');
    expect(DIALECT_TABLE.rocketchat.limitHeaders?.({ limit: 30, remaining: 29, resetAt })).toEqual({
      'X-RateLimit-Limit': '30',
      'X-RateLimit-Remaining': '29',
      'X-RateLimit-Reset': String(resetAt.getTime()),
    });
  });

  it('only Rocket.Chat reports the limit in headers', () => {
    const reporting = Object.values(DIALECT_TABLE).filter((dialect) => dialect.limitHeaders).map((dialect) => dialect.name);
    expect(reporting).toEqual(['rocketchat']);
  });

  it('QuickBlox reports a bad credential under "base"', () => {
    expect(DIALECT_TABLE.quickblox.failure({ kind: 'unauthorized', credentials: 'wrong' })).toEqual({
      status: 401,
      body: { errors: { base: ['Required session does not exist'] } },
    });
  });
});

describe('dialectForPath: unknown routes are answered in the shape of the product they belong to', () => {
  it.each([
    ['/auth/reset/x', 'unleash'],
    ['/auth/reset/password', 'unleash'],
    ['/auth/other', 'maiascore'],
    ['/auth/reset', 'maiascore'],
    ['/api/v1/users.nope', 'rocketchat'],
    ['/api/v4/user/nope', 'cloudreve'],
    ['/users/password/nope.json', 'quickblox'],
  ])('%s is answered as %s', (path, name) => {
    expect(dialectForPath(path)?.name).toBe(name);
  });

  it.each(['/', '/nothing', '/api/v2/x', '/authx'])('%s belongs to no dialect', (path) => {
    expect(dialectForPath(path)).toBeUndefined();
  });
});

describe("Cloudreve's completion (PATCH /api/v4/user/reset/{id})", () => {
  const completion = DIALECT_TABLE.cloudreve.completion!;
  const account = { id: 'usr_7', email: 'cloud.user@example.com', name: 'Cloud User', locale: 'de' };

  it('answers a changed password with code 0 and the user in data, as its front end reads data.email', () => {
    expect(completion.completeReply({ kind: 'done', origin: 'cloudreve', account })).toEqual({
      status: 200,
      body: { code: 0, msg: '', data: { id: 'usr_7', email: 'cloud.user@example.com', nickname: 'Cloud User' } },
    });
  });

  it('gives an account without a name an empty nickname', () => {
    const reply = completion.completeReply({ kind: 'done', origin: 'cloudreve', account: { ...account, name: null } });
    expect(reply.body).toMatchObject({ data: { nickname: '' } });
  });

  it.each(['unknown', 'expired', 'used'] as const)('answers a %s secret with code 40030 "Link is expired", as Cloudreve does', (kind) => {
    expect(completion.completeReply({ kind, origin: null })).toEqual({
      status: 200,
      body: { code: 40030, msg: 'Link is expired', correlation_id: expect.stringMatching(UUID) },
    });
  });

  it('answers too many failed checks with HTTP 200, code 429 and Retry-After', () => {
    expect(completion.completeReply({ kind: 'rate-limited', retryAfterSeconds: 60 })).toEqual({
      status: 200,
      body: { code: 429, msg: 'Too many failed attempts, try again later', correlation_id: expect.stringMatching(UUID) },
      headers: { 'Retry-After': '60' },
    });
  });

  it('answers every outcome with HTTP 200', () => {
    const outcomes: CompleteResetOutcome[] = [
      { kind: 'done', origin: 'cloudreve', account },
      { kind: 'weak', problems: ['too-short'], minLength: 15, origin: 'cloudreve' },
      { kind: 'refused', reasons: ['No.'], origin: 'cloudreve' },
      { kind: 'unavailable', origin: 'cloudreve', retryAfterSeconds: 5 },
      { kind: 'rate-limited', retryAfterSeconds: 5 },
      { kind: 'unknown', origin: null },
    ];
    for (const outcome of outcomes) expect(completion.completeReply(outcome).status).toBe(200);
  });
});
