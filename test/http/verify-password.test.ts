import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/secrets.ts';
import { isCurrentHash } from '../../src/password-hasher/password-verifier.ts';
import { addUser, createApiKey } from '../support/admin.ts';
import type { DirectoryReceiver } from '../support/directory-receiver.ts';
import { startDirectoryReceiver } from '../support/directory-receiver.ts';
import { foreignHashes } from '../support/foreign-hashes.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';

/** POST /api/auth/verify: resetd's users table as an account store an application checks passwords against. */
const PASSWORD = 'lantern orbit walnut seventeen';
const running: TestResetd[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.dispose();
});

async function start(env: Record<string, string> = {}) {
  const resetd = await startTestResetd({ RESETD_WORKER: 'off', ...env });
  running.push(resetd);
  return { resetd, key: await createApiKey(resetd, 'resetd') };
}

const verify = (resetd: TestResetd, key: string, body: Record<string, unknown>) =>
  fetch(`${resetd.url}/api/auth/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A user written straight into resetd's table, with a hash from another application. */
async function addWithHash(resetd: TestResetd, email: string, passwordHash: string, fields: { disabled?: boolean } = {}) {
  const id = newId('usr');
  await resetd.store.addUser({ id, email, emailKey: email, name: null, locale: null, disabled: fields.disabled ?? false, passwordHash, createdAt: new Date() });
  return id;
}

const storedHash = async (resetd: TestResetd, id: string) =>
  (await resetd.database.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', id))[0]!.password_hash;

describe('answers', () => {
  it('the right password answers the user; a wrong one, an unknown address, a disabled account and one without a password answer one 401', async () => {
    const { resetd, key } = await start();
    const id = await addUser(resetd, 'ada@example.com', { password: PASSWORD, name: 'Ada', locale: 'en' });
    await addUser(resetd, 'off@example.com', { password: PASSWORD, disabled: true });
    await addUser(resetd, 'nopassword@example.com');

    const right = await verify(resetd, key, { email: 'ADA@example.com', password: PASSWORD });
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ id, email: 'ada@example.com', name: 'Ada', locale: 'en' });

    const refusals = new Set<string>();
    for (const body of [
      { email: 'ada@example.com', password: `${PASSWORD}.` },
      { email: 'nobody@example.com', password: PASSWORD },
      { email: 'off@example.com', password: PASSWORD },
      { email: 'nopassword@example.com', password: PASSWORD },
      { email: 'not an address', password: PASSWORD },
    ]) {
      const response = await verify(resetd, key, body);
      refusals.add(`${response.status} ${response.headers.get('content-type')} ${await response.text()}`);
    }
    expect([...refusals]).toEqual([
      '401 application/problem+json {"type":"urn:resetd:problem:wrong-credentials","title":"Unauthorized","status":401,"detail":"The email or the password is not right."}',
    ]);
  });

  it('a password typed in another Unicode form matches the one stored as NFC', async () => {
    const { resetd, key } = await start();
    const composed = 'café crème brûlée midnight';
    await addUser(resetd, 'nfc@example.com', { password: composed });
    expect((await verify(resetd, key, { email: 'nfc@example.com', password: composed.normalize('NFD') })).status).toBe(200);
  });

  it('a malformed body or client address is a 400 in problem details', async () => {
    const { resetd, key } = await start();
    for (const body of [{ email: 'ada@example.com' }, { email: 'ada@example.com', password: PASSWORD, clientIp: 'not an ip' }, { email: 'ada@example.com', password: PASSWORD, extra: 1 }]) {
      const response = await verify(resetd, key, body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('hashes from elsewhere', async () => {
  const hashes = await foreignHashes();
  let shared: Awaited<ReturnType<typeof start>>;
  // One instance for every format: each case has its own account.
  beforeAll(async () => {
    shared = { resetd: await startTestResetd({ RESETD_WORKER: 'off' }), key: '' };
    shared.key = await createApiKey(shared.resetd, 'resetd');
  });
  afterAll(async () => {
    await shared?.resetd.dispose();
  });

  it.each(hashes)('$format verifies, is replaced by argon2id, and the old password still verifies', async ({ format, hash, password }) => {
    const { resetd, key } = shared;
    const email = `${format.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}@example.com`;
    const id = await addWithHash(resetd, email, hash);

    expect((await verify(resetd, key, { email, password: `${password}x` })).status).toBe(401);
    expect(await storedHash(resetd, id)).toBe(hash);

    expect((await verify(resetd, key, { email, password })).status).toBe(200);
    const upgraded = await storedHash(resetd, id);
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$/);
    expect(isCurrentHash(upgraded)).toBe(true);

    expect((await verify(resetd, key, { email, password })).status).toBe(200);
    expect(await storedHash(resetd, id)).toBe(upgraded);
    expect((await verify(resetd, key, { email, password: `${password}x` })).status).toBe(401);
  });

  it('a stored hash in no format resetd reads answers like a wrong password and is kept', async () => {
    const { resetd, key } = shared;
    const id = await addWithHash(resetd, 'md5@example.com', '5f4dcc3b5aa765d61d8327deb882cf99');
    expect((await verify(resetd, key, { email: 'md5@example.com', password: 'password' })).status).toBe(401);
    expect(await storedHash(resetd, id)).toBe('5f4dcc3b5aa765d61d8327deb882cf99');
  });

  it('resetd’s own current hash is not rewritten by a login', async () => {
    const { resetd, key } = shared;
    const id = await addUser(resetd, 'current@example.com', { password: PASSWORD });
    const before = await storedHash(resetd, id);
    expect((await verify(resetd, key, { email: 'current@example.com', password: PASSWORD })).status).toBe(200);
    expect(await storedHash(resetd, id)).toBe(before);
  });
});

describe('limits on failed checks', () => {
  it('past RATE_LIMIT_VERIFY_FAILURES for one account, 429 with Retry-After, even for the right password', async () => {
    const { resetd, key } = await start({ RATE_LIMIT_VERIFY_FAILURES: '3' });
    await addUser(resetd, 'target@example.com', { password: PASSWORD });
    for (let i = 0; i < 3; i++) expect((await verify(resetd, key, { email: 'target@example.com', password: `guess ${i}` })).status).toBe(401);
    for (const password of ['guess 4', PASSWORD]) {
      const limited = await verify(resetd, key, { email: 'Target@example.com', password });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    }
    // Other accounts are not held up by this one.
    await addUser(resetd, 'other@example.com', { password: PASSWORD });
    expect((await verify(resetd, key, { email: 'other@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('an address without an account is limited the same way, so the limit tells nothing either', async () => {
    const { resetd, key } = await start({ RATE_LIMIT_VERIFY_FAILURES: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await verify(resetd, key, { email: 'ghost@example.com', password: `guess ${i}` })).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('a right password starts the account’s count again', async () => {
    const { resetd, key } = await start({ RATE_LIMIT_VERIFY_FAILURES: '3' });
    await addUser(resetd, 'forgetful@example.com', { password: PASSWORD });
    const attempt = async (password: string) => (await verify(resetd, key, { email: 'forgetful@example.com', password })).status;
    expect([await attempt('a'), await attempt('b'), await attempt(PASSWORD)]).toEqual([401, 401, 200]);
    // Without the reset, the fourth failure overall would be refused.
    expect([await attempt('c'), await attempt('d'), await attempt('e'), await attempt('f')]).toEqual([401, 401, 401, 429]);
  });

  it('past RATE_LIMIT_VERIFY_FAILURES_IP from one client address, 429 across accounts; other addresses go on', async () => {
    const { resetd, key } = await start({ RATE_LIMIT_VERIFY_FAILURES_IP: '2', RATE_LIMIT_VERIFY_FAILURES: '100' });
    await addUser(resetd, 'ok@example.com', { password: PASSWORD });
    const from = async (clientIp: string, email: string, password = 'wrong') => (await verify(resetd, key, { email, password, clientIp })).status;
    expect(await from('198.51.100.7', 'a@example.com')).toBe(401);
    expect(await from('198.51.100.7', 'b@example.com')).toBe(401);
    expect(await from('198.51.100.7', 'c@example.com')).toBe(429);
    expect(await from('198.51.100.7', 'ok@example.com', PASSWORD)).toBe(429);
    expect(await from('2001:db8::1', 'ok@example.com', PASSWORD)).toBe(200);
    // Without clientIp, the caller's own address is counted.
    expect((await verify(resetd, key, { email: 'd@example.com', password: 'wrong' })).status).toBe(401);
  });
});

describe('who may ask', () => {
  it('only a live API key made for resetd opens verify: none, a maiascore key, the admin token and a revoked key get 401', async () => {
    const { resetd, key } = await start();
    await addUser(resetd, 'ada@example.com', { password: PASSWORD });
    const maiascore = await createApiKey(resetd, 'maiascore');
    const body = { email: 'ada@example.com', password: PASSWORD };
    const without = await fetch(`${resetd.url}/api/auth/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ type: 'about:blank', detail: 'A valid bearer token is required.' });
    for (const other of [maiascore, ADMIN_TOKEN, `${key}x`]) expect((await verify(resetd, other, body)).status).toBe(401);
    expect((await verify(resetd, key, body)).status).toBe(200);

    const [listed] = (await resetd.store.listApiKeys()).filter((k) => k.dialect === 'resetd');
    await resetd.store.revokeApiKey(listed!.id, new Date());
    expect((await verify(resetd, key, body)).status).toBe(401);
  });

  it('a resetd key opens no dialect', async () => {
    const { resetd, key } = await start();
    const response = await fetch(`${resetd.url}/auth/forgot-password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ada@example.com' }),
    });
    expect(response.status).toBe(403);
  });
});

describe('other directories', () => {
  let receiver: DirectoryReceiver | undefined;
  afterAll(async () => {
    await receiver?.close();
  });

  it('with accounts in the application (DIRECTORY=http), verify answers 501 saying it needs the builtin directory', async () => {
    receiver = await startDirectoryReceiver('verify-directory-secret');
    const { resetd, key } = await start({ DIRECTORY: 'http', DIRECTORY_URL: receiver.url, DIRECTORY_SECRET: 'verify-directory-secret' });
    const response = await verify(resetd, key, { email: 'ada@example.com', password: PASSWORD });
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ type: 'urn:resetd:problem:verify-needs-builtin-directory', detail: expect.stringContaining('DIRECTORY=builtin') });
    expect(receiver.calls).toEqual([]);
  });
});
