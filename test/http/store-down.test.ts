import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeys } from '../support/admin.ts';
import { createApiKey, seed } from '../support/admin.ts';
import { documentedResponses } from '../support/contract.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';

/**
 * resetd's store goes away after start (its connection is closed under it, SQLite or
 * PostgreSQL alike): every operation of the spec is called, each answer is checked against
 * the spec (check-every-response.ts) and here: what the spec documents for a store that is
 * down, in the owner's own shape (a 5xx, Cloudreve's code 50001 inside HTTP 200, an HTML
 * page on the reset page, 503 from /readyz naming the store), never a stack trace. Operations
 * that do not use the store answer as ever (/healthz too: the process still answers), and
 * /metrics still scrapes, with resetd_store_up 0.
 */

const KNOWN = 'known@example.com';
const TOKEN = 'A'.repeat(43);
const GOOD = 'correct horse battery staple';
let resetd: TestResetd;
let keys: ApiKeys;
let verifyKey = '';

beforeAll(async () => {
  resetd = await startTestResetd({ RESETD_WORKER: 'off', API_KEYS_REQUIRED: 'maiascore,unleash,quickblox', METRICS_TOKEN });
  keys = await seed(resetd, [KNOWN]);
  verifyKey = await createApiKey(resetd, 'resetd');
  await resetd.store.close();
});

afterAll(async () => {
  await resetd?.dispose();
});

const json = (body: unknown, headers: Record<string, string> = {}, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const METRICS_TOKEN = 'store-down-metrics-token';

/** What an answer must be with the store down. */
type Expect = 'server error' | 'server error page' | 'cloudreve 50001' | 'unavailable' | 'scraped, store down' | 'as ever';

interface Call {
  path: string;
  init?: RequestInit | (() => RequestInit);
  expect: Expect;
}

/** Every operation of the spec, called with the store down. */
const CALLS: Record<string, Call> = {
  getHealth: { path: '/healthz', expect: 'as ever' },
  getHealthHead: { path: '/healthz', init: { method: 'HEAD' }, expect: 'as ever' },
  getReady: { path: '/readyz', expect: 'unavailable' },
  getReadyHead: { path: '/readyz', init: { method: 'HEAD' }, expect: 'unavailable' },
  getMetrics: { path: '/metrics', init: { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, expect: 'scraped, store down' },
  getMetricsHead: { path: '/metrics', init: { method: 'HEAD', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, expect: 'scraped, store down' },
  getDocs: { path: '/docs', expect: 'as ever' },
  devMailboxList: { path: '/dev/mailbox', expect: 'as ever' },
  devMailboxMessage: { path: '/dev/mailbox/none', expect: 'as ever' },
  adminCreateUser: { path: '/admin/users', init: json({ email: 'new@example.com' }, admin), expect: 'server error' },
  adminListUsers: { path: '/admin/users', init: { headers: admin }, expect: 'server error' },
  adminGetUser: { path: '/admin/users/usr_x', init: { headers: admin }, expect: 'server error' },
  adminUpdateUser: { path: '/admin/users/usr_x', init: json({ name: 'x' }, admin, 'PATCH'), expect: 'server error' },
  adminSetUserPassword: { path: '/admin/users/usr_x/password', init: json({ password: GOOD }, admin, 'PUT'), expect: 'server error' },
  adminDeleteUser: { path: '/admin/users/usr_x', init: { method: 'DELETE', headers: admin }, expect: 'server error' },
  adminImportUsers: { path: '/admin/users/import', init: { method: 'POST', headers: { ...admin, 'content-type': 'text/csv' }, body: 'email\nnew@example.com\n' }, expect: 'server error' },
  adminCreateApiKey: { path: '/admin/api-keys', init: json({ dialect: 'unleash' }, admin), expect: 'server error' },
  resetPage: { path: `/reset?token=${TOKEN}`, expect: 'server error page' },
  resetPageHead: { path: `/reset?token=${TOKEN}`, init: { method: 'HEAD' }, expect: 'server error page' },
  resetPageSubmit: { path: '/reset', init: form({ token: TOKEN, password: GOOD, password_confirm: GOOD }), expect: 'server error page' },
  resetPageRequest: { path: '/reset/request', init: form({ email: KNOWN }), expect: 'server error page' },
  validateResetToken: { path: '/api/reset/validate', init: json({ token: TOKEN }), expect: 'server error' },
  completeReset: { path: '/api/reset/complete', init: json({ token: TOKEN, password: GOOD }), expect: 'server error' },
  rocketchatForgotPassword: { path: '/api/v1/users.forgotPassword', init: json({ email: KNOWN }), expect: 'server error' },
  maiascoreForgotPassword: { path: '/auth/forgot-password', init: () => json({ id: KNOWN }, { authorization: `Bearer ${keys.maiascore}` }), expect: 'server error' },
  unleashSendResetPasswordEmail: { path: '/auth/reset/password-email', init: () => json({ email: KNOWN }, { authorization: keys.unleash }), expect: 'server error' },
  unleashValidateResetToken: { path: `/auth/reset/validate?token=${TOKEN}`, expect: 'server error' },
  unleashValidatePassword: { path: '/auth/reset/validate-password', init: json({ password: GOOD }), expect: 'as ever' },
  unleashResetPassword: { path: '/auth/reset/password', init: json({ token: TOKEN, password: GOOD }), expect: 'server error' },
  cloudreveSendResetEmail: { path: '/api/v4/user/reset', init: json({ email: KNOWN }), expect: 'cloudreve 50001' },
  cloudreveGetCaptcha: { path: '/api/v4/site/captcha', expect: 'cloudreve 50001' },
  cloudreveResetPassword: { path: '/api/v4/user/reset/usr_x', init: json({ password: GOOD, secret: TOKEN }, {}, 'PATCH'), expect: 'cloudreve 50001' },
  verifyPassword: { path: '/api/auth/verify', init: () => json({ email: KNOWN, password: GOOD }, { authorization: `Bearer ${verifyKey}` }), expect: 'server error' },
  quickbloxResetPassword: { path: `/users/password/reset.json?email=${encodeURIComponent(KNOWN)}`, init: () => ({ headers: { 'QB-Token': keys.quickblox } }), expect: 'server error' },
};

function expectAnswer(expected: Expect, response: Response, text: string, head: boolean): void {
  const type = response.headers.get('content-type') ?? '';
  switch (expected) {
    case 'server error':
      expect(response.status).toBe(500);
      expect(type).toMatch(/json/);
      break;
    case 'server error page':
      expect(response.status).toBe(500);
      expect(response.headers.get('cache-control')).toBe('no-store');
      if (!head) {
        expect(type).toMatch(/^text\/html/);
        expect(text).toContain('Try again');
      }
      break;
    case 'cloudreve 50001':
      expect(response.status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ code: 50001, msg: 'Database operation failed' });
      break;
    case 'unavailable':
      expect(response.status).toBe(503);
      // The builtin directory is the store: both are down.
      if (!head) expect(JSON.parse(text)).toEqual({ status: 'unavailable', checks: { store: 'down', directory: 'down' } });
      break;
    case 'scraped, store down':
      expect(response.status).toBe(200);
      if (head) break;
      expect(text).toMatch(/^resetd_store_up 0$/m);
      expect(text).not.toMatch(/^resetd_outbox_items\{/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
      break;
    case 'as ever':
      expect(response.status).toBeLessThan(500);
      break;
  }
}

describe('with its store down, resetd answers every operation as the spec documents', () => {
  it('the table calls every operation of the spec', () => {
    const operations = [...new Set(documentedResponses().map((entry) => entry.split(' ')[0]!))].sort();
    expect(Object.keys(CALLS).sort()).toEqual(operations);
  });

  for (const [operationId, call] of Object.entries(CALLS)) {
    it(`${operationId}: ${call.expect}`, async () => {
      const init = typeof call.init === 'function' ? call.init() : call.init;
      const response = await fetch(`${resetd.url}${call.path}`, init);
      const text = await response.text();
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/); // never a stack trace
      expect(text).not.toMatch(/connection is not open|SQLITE_|after calling end on the pool/); // nor what failed inside
      expectAnswer(call.expect, response, text, init?.method === 'HEAD');
    });
  }
});
