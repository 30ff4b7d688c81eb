import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Account, Directory } from '../../src/core/directory.ts';
import { DirectoryError } from '../../src/core/directory.ts';
import { openUnleashDirectory } from '../../src/directory/unleash/unleash-directory.ts';
import { freePort } from '../support/ports.ts';
import type { UnleashServer, UnleashUser } from '../support/unleash-server.ts';
import { startUnleashServer, UNLEASH_START_TIMEOUT_MS } from '../support/unleash-server.ts';

// The unleash directory against a real unleash-server 7.5.1 (npm run test:unleash).

const ADA_PASSWORD = 'Analytical-Engine-1843';
let unleash: UnleashServer;
let ada: UnleashUser;
let directory: Directory;

beforeAll(async () => {
  unleash = await startUnleashServer();
  ada = await unleash.createUser({ email: 'ada@example.com', name: 'Ada Lovelace', password: ADA_PASSWORD });
  // Unleash's search matches email prefixes: this one answers a search for ada's address too.
  await unleash.createUser({ email: 'ada@example.com.au', name: 'Ada Antipodes', password: 'Down-Under-Passw0rd' });
  directory = openUnleashDirectory({ url: unleash.url, token: unleash.adminToken, timeoutMs: 5_000 });
}, UNLEASH_START_TIMEOUT_MS);

afterAll(async () => {
  await unleash?.stop();
});

/** A user of its own per test that changes a password, so the tests do not depend on each other's order. */
async function newUser(local: string, password: string): Promise<Account> {
  const user = await unleash.createUser({ email: `${local}@example.com`, password });
  const found = await directory.find(user.email);
  if (found.kind !== 'found') throw new Error(`${user.email} not found`);
  return found.account;
}

describe('find', () => {
  test('an exact email finds its user, in any case, though Unleash\'s search answers with more', async () => {
    const search = await unleash.admin('GET', '/api/admin/user-admin/search?q=ada%40example.com');
    expect((search.body as { email: string }[]).map((u) => u.email).sort()).toEqual(['ada@example.com', 'ada@example.com.au']);

    const expected = { kind: 'found', account: { id: String(ada.id), email: 'ada@example.com', name: 'Ada Lovelace', locale: null, disabled: false } };
    expect(await directory.find('ada@example.com')).toEqual(expected);
    expect(await directory.find('ADA@example.com')).toEqual(expected);
    expect(await directory.find('ada@example.com.au')).toMatchObject({ kind: 'found', account: { email: 'ada@example.com.au' } });
  });

  test('a prefix, a name or an unknown address finds nobody', async () => {
    for (const identifier of ['ad', 'ada', 'ada@example.co', 'Ada Lovelace', 'nobody@example.com', 'a']) {
      expect(await directory.find(identifier), identifier).toEqual({ kind: 'none' });
    }
  });

  test('the built-in admin (a username, no email) is never found by its username', async () => {
    expect(await directory.find('admin')).toEqual({ kind: 'none' });
  });
});

describe('setPassword', () => {
  test('a password Unleash takes: done, the new password signs in and the old one no longer does', async () => {
    const account = await newUser('grace', 'Compiler-Pioneer-1952');
    expect(await directory.setPassword(account, 'Nanosecond-Wire-30cm')).toEqual({ kind: 'done' });
    expect(await unleash.login('grace@example.com', 'Nanosecond-Wire-30cm')).toBe(200);
    expect(await unleash.login('grace@example.com', 'Compiler-Pioneer-1952')).toBe(401);
  });

  test('a password Unleash\'s policy refuses: refused with Unleash\'s own reasons, one per rule, and the old password still works', async () => {
    const account = await newUser('edsger', 'Shortest-Path-1959');
    const short = await directory.setPassword(account, 'short');
    expect(short).toEqual({
      kind: 'refused',
      reasons: [
        'The password must be at least 10 characters long.',
        'The password must contain at least one uppercase letter.',
        'The password must contain at least one number.',
        'The password must contain at least one special character.',
      ],
    });
    expect(await directory.setPassword(account, 'Longenoughbutplain')).toEqual({
      kind: 'refused',
      reasons: ['The password must contain at least one number.', 'The password must contain at least one special character.'],
    });
    expect(await unleash.login('edsger@example.com', 'Shortest-Path-1959')).toBe(200);
    expect(await unleash.login('edsger@example.com', 'Longenoughbutplain')).toBe(401);
  });

  test('an account Unleash does not have: unavailable, never done', async () => {
    const ghost: Account = { id: '999999', email: 'ghost@example.com', name: null, locale: null, disabled: false };
    expect(await directory.setPassword(ghost, 'Perfectly-Fine-Passw0rd')).toMatchObject({ kind: 'unavailable' });
    expect(await directory.setPassword({ ...ghost, id: '1/../2' }, 'Perfectly-Fine-Passw0rd')).toMatchObject({ kind: 'unavailable' });
  });
});

describe('tokens', () => {
  test('ping answers with the admin token', async () => {
    await expect(directory.ping()).resolves.toBeUndefined();
  });

  test('a wrong token: find and ping throw, setPassword is unavailable, and no message shows the token', async () => {
    const token = 'user:0123456789abcdef0123456789abcdef0123456789abcdef01234567';
    const wrong = openUnleashDirectory({ url: unleash.url, token, timeoutMs: 5_000 });
    const found = await wrong.find('ada@example.com').then(() => null, (error: unknown) => error);
    expect(found).toBeInstanceOf(DirectoryError);
    expect((found as Error).message).toMatch(/401.*UNLEASH_API_TOKEN/);
    const set = await wrong.setPassword(accountOf(ada), 'Perfectly-Fine-Passw0rd');
    expect(set).toEqual({ kind: 'unavailable', error: expect.stringMatching(/401/) });
    await expect(wrong.ping()).rejects.toThrow(/401/);
    expect(`${(found as Error).message} ${JSON.stringify(set)}`).not.toContain(token);
    expect(await unleash.login('ada@example.com', ADA_PASSWORD)).toBe(200);
  });

  test('a viewer\'s token finds users but cannot set a password, and fails the readiness ping', async () => {
    await unleash.createUser({ email: 'viewer@example.com', password: 'Read-Only-Passw0rd' });
    const viewer = openUnleashDirectory({ url: unleash.url, token: await unleash.createToken('viewer@example.com', 'Read-Only-Passw0rd'), timeoutMs: 5_000 });
    expect(await viewer.find('ada@example.com')).toMatchObject({ kind: 'found' });
    expect(await viewer.setPassword(accountOf(ada), 'Perfectly-Fine-Passw0rd')).toEqual({ kind: 'unavailable', error: expect.stringMatching(/403/) });
    await expect(viewer.ping()).rejects.toThrow(/403/);
    expect(await unleash.login('ada@example.com', ADA_PASSWORD)).toBe(200);
  });
});

describe('an Unleash that cannot be reached', () => {
  test('a closed loopback port: find and ping throw, setPassword is unavailable, all at once', async () => {
    const closed = openUnleashDirectory({ url: `http://127.0.0.1:${await freePort()}`, token: unleash.adminToken, timeoutMs: 5_000 });
    const started = Date.now();
    await expect(closed.find('ada@example.com')).rejects.toThrow(/ECONNREFUSED/);
    expect(await closed.setPassword(accountOf(ada), 'Perfectly-Fine-Passw0rd')).toEqual({ kind: 'unavailable', error: expect.stringMatching(/ECONNREFUSED/) });
    await expect(closed.ping()).rejects.toThrow(DirectoryError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

function accountOf(user: UnleashUser): Account {
  return { id: String(user.id), email: user.email, name: null, locale: null, disabled: false };
}
