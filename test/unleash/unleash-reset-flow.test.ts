import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import type { UnleashServer } from '../support/unleash-server.ts';
import { startUnleashServer, UNLEASH_START_TIMEOUT_MS } from '../support/unleash-server.ts';
import { postJson, requestToken } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';
import { createApiKey } from '../support/admin.ts';

/**
 * The whole flow with a real Unleash as the directory: a user of that Unleash asks for a
 * reset through resetd's Unleash dialect, follows the mail, and signs in to Unleash with
 * the new password, and only with it.
 */
const OLD = 'Analytical-Engine-1843';
const NEW = 'Difference-Engine-No-2';
let unleash: UnleashServer;
let resetd: TestResetd;
let key: string;

beforeAll(async () => {
  unleash = await startUnleashServer();
  await unleash.createUser({ email: 'ada@example.com', name: 'Ada Lovelace', password: OLD });
  resetd = await startTestResetd({
    DIRECTORY: 'unleash',
    UNLEASH_URL: unleash.url,
    UNLEASH_API_TOKEN: unleash.adminToken,
    RESET_PATH_UNLEASH: '/reset-password?token={token}',
    RATE_LIMIT_RESET_FAILURES: '1000',
  });
  key = await createApiKey(resetd, 'unleash');
}, UNLEASH_START_TIMEOUT_MS);

afterAll(async () => {
  await resetd?.dispose();
  await unleash?.stop();
});

/** Asks in upper case, through the Unleash dialect; the mail goes to the address Unleash holds. */
const tokenFromMail = (email: string) => requestToken(resetd, email.toUpperCase(), { path: '/auth/reset/password-email', headers: { authorization: key }, to: email });

it('a reset through resetd’s Unleash dialect changes the password Unleash checks: the new one signs in, the old one no longer does', async () => {
  const token = await tokenFromMail('ada@example.com');
  const validated = await fetch(`${resetd.url}/auth/reset/validate?token=${token}`);
  expect(validated.status).toBe(200);
  expect(await validated.json()).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });

  // Long enough for resetd, but Unleash wants a capital, a digit and a symbol: its own words come back, and the link still works.
  const refused = await postJson(resetd, '/auth/reset/password', { token, password: 'only small letters here' });
  expect(refused.status).toBe(400);
  const body = (await refused.json()) as { name: string; details: { message: string; validationErrors: string[] }[] };
  expect(body.name).toBe('OwaspValidationError');
  expect(body.details[0]!.validationErrors.length).toBeGreaterThan(0);
  expect(body.details[0]!.validationErrors.join(' ')).toMatch(/upper|number|special/i);
  expect(await unleash.login('ada@example.com', OLD)).toBe(200);

  const done = await postJson(resetd, '/auth/reset/password', { token, password: NEW });
  expect(done.status).toBe(200);
  expect(await unleash.login('ada@example.com', NEW)).toBe(200);
  expect(await unleash.login('ada@example.com', OLD)).toBe(401);
  expect((await postJson(resetd, '/auth/reset/password', { token, password: `${NEW}!` })).status).toBe(403); // UsedTokenError, as Unleash answers a used link
});

it('an address Unleash does not know gets the same answer and no mail', async () => {
  const before = resetd.mailbox!.list().length;
  const response = await postJson(resetd, '/auth/reset/password-email', { email: 'nobody@example.com' }, { authorization: key });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({});
  await until(async () => {
    const rows = await resetd.database.query<{ state: string }>(`SELECT state FROM outbox WHERE kind = 'reset' ORDER BY id DESC LIMIT 1`);
    return rows[0]?.state === 'no_account';
  });
  expect(resetd.mailbox!.list().length).toBe(before);
});

it('validate-password gives Unleash’s own reasons beside resetd’s, so Unleash’s page marks its rules', async () => {
  const check = async (password: string) => {
    const response = await postJson(resetd, '/auth/reset/validate-password', { password });
    return { status: response.status, errors: response.status === 400 ? ((await response.json()) as { details: { validationErrors: string[] }[] }).details[0]!.validationErrors : [] };
  };
  const both = await check('short');
  expect(both.status).toBe(400);
  expect(both.errors).toContain('The password must be at least 10 characters long.');
  expect(both.errors).toContain('Use at least 15 characters.');
  const unleashOnly = await check('only small letters here');
  expect(unleashOnly.status).toBe(400);
  expect(unleashOnly.errors).toContain('The password must contain at least one uppercase letter.');
  expect(await check(`${NEW}-and-more`)).toEqual({ status: 200, errors: [] });
});
