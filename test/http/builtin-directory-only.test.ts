import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';

/**
 * The operations the spec marks `x-resetd-directory: builtin` manage resetd's own users
 * table: with the accounts in the application they answer 409, and only to the admin.
 */
const spec = parse(readFileSync(new URL('../../generated/openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string; 'x-resetd-directory'?: string }>>;
};
const marked = Object.values(spec.paths)
  .flatMap((item) => Object.values(item))
  .filter((op) => op['x-resetd-directory'] === 'builtin')
  .map((op) => op.operationId!)
  .sort();

const ID = 'usr_0000000000000000000000000000';
const json = { 'content-type': 'application/json' };
/** A request each marked operation accepts as valid input. */
const CALLS: Record<string, { method: string; path: string; headers?: Record<string, string>; body?: string }> = {
  adminCreateUser: { method: 'POST', path: '/admin/users', headers: json, body: JSON.stringify({ email: 'ada@example.com' }) },
  adminListUsers: { method: 'GET', path: '/admin/users' },
  adminGetUser: { method: 'GET', path: `/admin/users/${ID}` },
  adminUpdateUser: { method: 'PATCH', path: `/admin/users/${ID}`, headers: json, body: JSON.stringify({ name: 'Ada' }) },
  adminDeleteUser: { method: 'DELETE', path: `/admin/users/${ID}` },
  adminSetUserPassword: { method: 'PUT', path: `/admin/users/${ID}/password`, headers: json, body: JSON.stringify({ password: 'Kangaroo Velvet Lantern Orbit' }) },
  adminImportUsers: { method: 'POST', path: '/admin/users/import', headers: { 'content-type': 'text/csv' }, body: 'email\nada@example.com\n' },
};

let resetd: TestResetd;
beforeAll(async () => {
  resetd = await startTestResetd({
    RESETD_WORKER: 'off',
    DIRECTORY: 'http',
    DIRECTORY_URL: 'http://127.0.0.1:9/accounts',
    DIRECTORY_SECRET: 'a-long-enough-directory-secret-0123456789',
  });
});
afterAll(() => resetd?.dispose());

const call = (operationId: string, token: string) => {
  const { method, path, headers, body } = CALLS[operationId]!;
  return fetch(`${resetd.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, body });
};

describe('operations of resetd’s own users table, with the accounts in the application', () => {
  it('the spec marks the admin API’s user operations, and each has a call here', () => {
    expect(marked).toEqual(Object.keys(CALLS).sort());
  });

  it.each(Object.keys(CALLS))('%s answers 409, saying where the accounts are', async (operationId) => {
    const response = await call(operationId, ADMIN_TOKEN);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ status: 409, detail: 'Accounts live in the application (DIRECTORY=http): manage users there.' });
  });

  it('the import, whose body it leaves unread, also closes the connection', async () => {
    const response = await call('adminImportUsers', ADMIN_TOKEN);
    expect(response.status).toBe(409);
    expect(response.headers.get('connection')).toBe('close');
  });

  it.each(Object.keys(CALLS))('%s tells nothing to a caller without the admin token (401)', async (operationId) => {
    expect((await call(operationId, 'wrong-token-0123456789abcdef')).status).toBe(401);
  });
});
