import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiKeys } from '../support/admin.ts';
import { seed } from '../support/admin.ts';
import type { LogLine } from '../support/logs.ts';
import { capturingLogger } from '../support/logs.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { TEST_STORE } from '../support/test-store.ts';
import { postJson } from '../support/tokens.ts';

/**
 * The limiters' counters are in the store (its rate_limits table). When that table cannot be
 * reached, a request whose key or admin token is being checked is answered as the internal
 * error it is, in the owner's own shape, and logged: never as a wrong key (401/403), which
 * would tell a caller with a good key to throw it away.
 */
let resetd: TestResetd;
let keys: ApiKeys;
let lines: LogLine[];

beforeAll(async () => {
  const logger = capturingLogger();
  lines = logger.lines;
  resetd = await startTestResetd({ RESETD_WORKER: 'off', RATE_LIMIT_API_KEY: '600', RATE_LIMIT_ADMIN_FAILURES: '10' }, { log: logger.log });
  keys = await seed(resetd, []);
  await dropRateLimits();
});

afterAll(async () => {
  await resetd?.dispose();
});

/** Drops the counters' table from the real database, under the running resetd. */
async function dropRateLimits() {
  if (TEST_STORE === 'postgres') {
    await resetd.database.query('DROP TABLE rate_limits');
    return;
  }
  const db = new Database(resetd.database.url.slice('sqlite:'.length));
  try {
    db.exec('DROP TABLE rate_limits');
  } finally {
    db.close();
  }
}

const failuresLogged = () => lines.filter((line) => line.level === 'error' && line.event === 'request.failed');

it.each([
  ['maiascore', () => postJson(resetd, '/auth/forgot-password', { id: 'k@example.com' }, { authorization: `Bearer ${keys.maiascore}` })],
  ['unleash', () => postJson(resetd, '/auth/reset/password-email', { email: 'k@example.com' }, { authorization: keys.unleash })],
  ['quickblox', () => fetch(`${resetd.url}/users/password/reset.json?email=k%40example.com`, { headers: { 'QB-Token': keys.quickblox } })],
  ['the admin API, with a wrong token', () => postJson(resetd, '/admin/users', { email: 'a@example.com' }, { authorization: 'Bearer not-the-admin-token' })],
] as const)('%s: a key checked while the limiter’s counters are unreachable gets an internal error, and it is logged', async (_name, send) => {
  const logged = failuresLogged().length;
  const response = await send();
  const body = await response.text();
  expect(response.status).toBe(500);
  expect(body).not.toMatch(/rate_limits|at .*\.ts:\d+/);
  expect(failuresLogged().length).toBe(logged + 1);
});

it('the right admin token is not counted, so it needs no counter', async () => {
  const response = await postJson(resetd, '/admin/api-keys', { dialect: 'unleash' }, { authorization: `Bearer ${ADMIN_TOKEN}` });
  expect(response.status).toBe(201);
});
