import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createApiKey, seed } from '../support/admin.ts';
import { documentedVariants, observedVariants } from '../support/contract.ts';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import type { TestResetd } from '../support/resetd.ts';
import { movableClock, startTestResetd } from '../support/resetd.ts';
import { requestToken } from '../support/tokens.ts';

/**
 * Where one status of an operation documents several examples (Cloudreve's codes inside its
 * HTTP 200, resetd's expired and used links, Rocket.Chat's two 400s), each example is a
 * variant of the answer. This file makes a real resetd answer every one of them: the first
 * test fails when the spec documents a variant this table cannot produce (or the table
 * names one the spec no longer has); each other test fails unless its answer is checked
 * against the spec and recognised as that example (contract.ts, isExample: every top-level
 * value of the example but per-occurrence ones). Every status of every operation is
 * produced by test/http/contract.test.ts.
 */

type Instance = 'main' | 'captcha' | 'off' | 'busy' | 'limited' | 'directory' | 'broken';
const instances = {} as Record<Instance, TestResetd>;
const clock = movableClock();
const KNOWN = 'known@example.com';
const COMPLETER = 'completer@example.com';
const UNKNOWN_TOKEN = 'A'.repeat(43);
const GOOD = 'correct horse battery staple';
const REFUSED = 'the application refuses this one';
const DOWN = 'the application is down for this one';
const DIRECTORY_SECRET = 'variants-directory-secret';
const APP_USER = 'app-7';
const TOKEN_TTL_MS = 1800 * 1000;
const big = 'x'.repeat(17 * 1024);
let receiver: DirectoryReceiver;
let completerId = '';
let verifyKey = '';

beforeAll(async () => {
  receiver = await startDirectoryReceiver(DIRECTORY_SECRET);
  receiver.answer = ({ payload }) => {
    if (payload.action === 'find') return payload.identifier === COMPLETER ? { status: 200, json: { id: APP_USER, email: COMPLETER } } : { status: 404 };
    if (payload.password === REFUSED) return { status: 422, json: { reasons: ['You used this password before.'] } };
    return payload.password === DOWN ? { status: 503 } : { status: 204 };
  };
  const started = await Promise.all([
    startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1000' }, { clock }),
    startTestResetd({ CLOUDREVE_CAPTCHA: 'on', RESETD_WORKER: 'off' }),
    startTestResetd({ RESETD_DIALECTS: 'maiascore', RESETD_WORKER: 'off' }),
    startTestResetd({ RATE_LIMIT_IP: '1', RESETD_WORKER: 'off' }),
    startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1', RESETD_WORKER: 'off' }),
    startTestResetd({ DIRECTORY: 'http', DIRECTORY_URL: receiver.url, DIRECTORY_SECRET, RATE_LIMIT_RESET_FAILURES: '1000' }),
    startTestResetd({ RESETD_WORKER: 'off' }),
  ]);
  [instances.main, instances.captcha, instances.off, instances.busy, instances.limited, instances.directory, instances.broken] = started;
  completerId = await addUser(instances.main, COMPLETER);
  await seed(instances.main, [KNOWN]);
  verifyKey = await createApiKey(instances.main, 'resetd');
  await instances.broken.store.close();
});

afterAll(async () => {
  await Promise.all(Object.values(instances).map((instance) => instance?.dispose()));
  await receiver?.close();
});

interface Request {
  path: string;
  init?: RequestInit;
}

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = (path: string, body: unknown): Request => ({ path, init: json('POST', body) });
const patch = (path: string, body: unknown): Request => ({ path, init: json('PATCH', body) });
const send = (instance: TestResetd, { path, init }: Request) => fetch(`${instance.url}${path}`, init);

const captcha: Request = { path: '/api/v4/site/captcha' };
const cloudreveRequest = (body: unknown) => post('/api/v4/user/reset', body);
const cloudreveReset = (user: string, body: unknown) => patch(`/api/v4/user/reset/${user}`, body);
const validate = (token: string) => post('/api/reset/validate', { token });
const complete = (token: string, password = GOOD) => post('/api/reset/complete', { token, password });

/** A fresh token of COMPLETER on `instance`. */
const freshToken = (instance: TestResetd) => requestToken(instance, COMPLETER);
/** A token of COMPLETER that was used to set a password. */
async function spentToken(): Promise<string> {
  const token = await freshToken(instances.main);
  const done = await send(instances.main, complete(token, `${GOOD} ${Math.random()}`));
  if (done.status !== 200) throw new Error(`spending a token: ${done.status}`);
  return token;
}
/** A token of COMPLETER past its lifetime (the instance's clock moved on). */
async function expiredToken(): Promise<string> {
  const token = await freshToken(instances.main);
  clock.advance(TOKEN_TTL_MS + 1000);
  return token;
}

interface Provoke {
  on: Instance;
  /** Requests sent first: one to use up a limit of one. */
  before?: Request;
  request: Request | (() => Promise<Request>);
}

/** Every variant the spec documents, and how to make a real resetd answer it. */
const VARIANTS: Record<string, Provoke> = {
  'cloudreveGetCaptcha 200 captcha': { on: 'main', request: captcha },
  'cloudreveGetCaptcha 200 tooMany': { on: 'busy', before: captcha, request: captcha },
  'cloudreveGetCaptcha 200 databaseFailed': { on: 'broken', request: captcha },
  'cloudreveGetCaptcha 200 featureOff': { on: 'off', request: captcha },

  'cloudreveSendResetEmail 200 success': { on: 'main', request: cloudreveRequest({ email: KNOWN }) },
  'cloudreveSendResetEmail 200 emailMissing': { on: 'main', request: cloudreveRequest({}) },
  'cloudreveSendResetEmail 200 emailMalformed': { on: 'main', request: cloudreveRequest({ email: 'not an address' }) },
  'cloudreveSendResetEmail 200 captchaWrong': { on: 'captcha', request: cloudreveRequest({ email: KNOWN, captcha: 'abcd', ticket: UNKNOWN_TOKEN }) },
  'cloudreveSendResetEmail 200 tooLarge': { on: 'main', request: cloudreveRequest({ email: KNOWN, pad: big }) },
  'cloudreveSendResetEmail 200 tooMany': { on: 'busy', before: cloudreveRequest({ email: KNOWN }), request: cloudreveRequest({ email: KNOWN }) },
  'cloudreveSendResetEmail 200 databaseFailed': { on: 'broken', request: cloudreveRequest({ email: KNOWN }) },
  'cloudreveSendResetEmail 200 featureOff': { on: 'off', request: cloudreveRequest({ email: KNOWN }) },

  'cloudreveResetPassword 200 success': { on: 'main', request: async () => cloudreveReset(completerId, { password: GOOD, secret: await freshToken(instances.main) }) },
  'cloudreveResetPassword 200 linkExpired': { on: 'main', request: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }) },
  'cloudreveResetPassword 200 secretMissing': { on: 'main', request: cloudreveReset('usr_x', { password: GOOD }) },
  'cloudreveResetPassword 200 passwordMissing': { on: 'main', request: cloudreveReset('usr_x', { secret: UNKNOWN_TOKEN }) },
  'cloudreveResetPassword 200 passwordRefused': { on: 'directory', request: async () => cloudreveReset(APP_USER, { password: REFUSED, secret: await freshToken(instances.directory) }) },
  'cloudreveResetPassword 200 tryAgainSoon': { on: 'directory', request: async () => cloudreveReset(APP_USER, { password: DOWN, secret: await freshToken(instances.directory) }) },
  'cloudreveResetPassword 200 tooLarge': { on: 'main', request: cloudreveReset('usr_x', { password: big, secret: UNKNOWN_TOKEN }) },
  'cloudreveResetPassword 200 tooManyFailures': { on: 'limited', before: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }), request: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }) },
  'cloudreveResetPassword 200 tooMany': { on: 'busy', before: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }), request: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }) },
  'cloudreveResetPassword 200 databaseFailed': { on: 'broken', request: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }) },
  'cloudreveResetPassword 200 featureOff': { on: 'off', request: cloudreveReset('usr_x', { password: GOOD, secret: UNKNOWN_TOKEN }) },

  'rocketchatForgotPassword 400 missingEmail': { on: 'main', request: post('/api/v1/users.forgotPassword', {}) },
  'rocketchatForgotPassword 400 disabled': { on: 'off', request: post('/api/v1/users.forgotPassword', { email: KNOWN }) },

  'validateResetToken 410 used': { on: 'main', request: async () => validate(await spentToken()) },
  'validateResetToken 410 expired': { on: 'main', request: async () => validate(await expiredToken()) },
  'completeReset 410 used': { on: 'main', request: async () => complete(await spentToken()) },
  'completeReset 410 expired': { on: 'main', request: async () => complete(await expiredToken()) },
  'completeReset 422 weak': { on: 'main', request: async () => complete(await freshToken(instances.main), 'short') },
  'completeReset 422 refused': { on: 'directory', request: async () => complete(await freshToken(instances.directory), REFUSED) },

  'verifyPassword 401 noKey': { on: 'main', request: post('/api/auth/verify', { email: KNOWN, password: GOOD }) },
  'verifyPassword 401 refused': {
    on: 'main',
    // The key exists once beforeAll ran: built when the request is sent.
    request: async () => ({ path: '/api/auth/verify', init: { ...json('POST', { email: KNOWN, password: GOOD }), headers: { 'content-type': 'application/json', authorization: `Bearer ${verifyKey}` } } }),
  },
};

describe('every documented variant of an answer, produced by a real resetd', () => {
  it('the table provokes exactly the variants the spec documents', () => {
    expect(Object.keys(VARIANTS).sort()).toEqual(documentedVariants());
  });

  for (const [variant, provoke] of Object.entries(VARIANTS)) {
    it(variant, async () => {
      const instance = instances[provoke.on];
      if (provoke.before) await send(instance, provoke.before);
      const request = typeof provoke.request === 'function' ? await provoke.request() : provoke.request;
      observedVariants.delete(variant);
      const response = await send(instance, request);
      const text = await response.text();
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/); // never a stack trace
      expect(observedVariants.has(variant), `${response.status} ${text.slice(0, 300)}`).toBe(true);
    });
  }
});
