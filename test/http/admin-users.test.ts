import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createApiKey } from '../support/admin.ts';
import type { LogLine } from '../support/logs.ts';
import { capturingLogger } from '../support/logs.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { linkIn, postJson, requestMail } from '../support/tokens.ts';

/** The admin API manages resetd's own users: list, get, change, set a password, delete; each change audited. */
let resetd: TestResetd;
let lines: LogLine[];

beforeAll(async () => {
  const logger = capturingLogger();
  lines = logger.lines;
  resetd = await startTestResetd({}, { log: logger.log });
});
afterAll(() => resetd?.dispose());

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${resetd.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const audits = () => lines.filter((line) => line.event === 'audit').map((line) => line.fields);
const STRONG = 'Kangaroo Velvet Lantern Orbit';

describe('the admin API over users', () => {
  it('pages through users with a cursor, filtered by an email prefix in any case, without hashes', async () => {
    const ids = [];
    for (const email of ['page.a@example.com', 'page.b@example.com', 'Page.C@example.com', 'other@example.com']) ids.push(await addUser(resetd, email, { password: STRONG }));

    const first = await (await admin('GET', '/admin/users?email_prefix=PAGE.&limit=2')).json();
    expect(first.users.map((u: { id: string }) => u.id)).toEqual(ids.slice(0, 2));
    expect(first.next).toBe(ids[1]);
    const second = await (await admin('GET', `/admin/users?email_prefix=page.&limit=2&after=${first.next}`)).json();
    expect(second).toMatchObject({ users: [{ id: ids[2], email: 'Page.C@example.com', hasPassword: true, disabled: false, passwordChangedAt: null }], next: null });
    expect(JSON.stringify([first, second])).not.toContain('argon2');
    expect((await admin('GET', '/admin/users?limit=0')).status).toBe(400);
  });

  it('gets one user by id; an unknown id is 404', async () => {
    const id = await addUser(resetd, 'get.me@example.com', { name: 'Get Me', locale: 'de' });
    const response = await admin('GET', `/admin/users/${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, email: 'get.me@example.com', name: 'Get Me', locale: 'de', disabled: false, hasPassword: false });
    expect((await admin('GET', '/admin/users/usr_nobody')).status).toBe(404);
  });

  it('changes fields, refuses another user’s address, and a disabled user gets no mail', async () => {
    const id = await addUser(resetd, 'change.me@example.com');
    await addUser(resetd, 'taken@example.com');
    const changed = await admin('PATCH', `/admin/users/${id}`, { name: 'Changed', locale: 'pt-BR', email: 'Changed.Me@example.com' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id, email: 'Changed.Me@example.com', name: 'Changed', locale: 'pt-BR' });
    expect((await admin('PATCH', `/admin/users/${id}`, { email: 'TAKEN@example.com' })).status).toBe(409);
    expect((await admin('PATCH', `/admin/users/${id}`, { locale: 'english' })).status).toBe(400);
    expect((await admin('PATCH', `/admin/users/${id}`, {})).status).toBe(400);
    expect((await admin('PATCH', '/admin/users/usr_nobody', { name: 'x' })).status).toBe(404);
    const cleared = await admin('PATCH', `/admin/users/${id}`, { name: null, disabled: true });
    expect(await cleared.json()).toMatchObject({ name: null, locale: 'pt-BR', disabled: true });
  });

  it('sets a password under the reset policy; the old reset link stops working and the new password is the one that verifies', async () => {
    const id = await addUser(resetd, 'set.password@example.com', { password: STRONG });
    const mail = await requestMail(resetd, 'set.password@example.com');
    const weak = await admin('PUT', `/admin/users/${id}/password`, { password: 'set.password tree house' });
    expect(weak.status).toBe(422);
    expect((await weak.json()).errors.map((e: { code: string }) => e.code)).toContain('contains-email');
    expect((await admin('PUT', `/admin/users/${id}/password`, { password: 'Marmalade Compass Thunder Fjord' })).status).toBe(204);
    expect((await admin('PUT', '/admin/users/usr_nobody/password', { password: 'Marmalade Compass Thunder Fjord' })).status).toBe(404);

    const token = linkIn(mail).searchParams.get('token');
    const validate = await fetch(`${resetd.url}/api/reset/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(validate.status).not.toBe(200);
    expect((await admin('GET', `/admin/users/${id}`).then((r) => r.json())).passwordChangedAt).not.toBeNull();
    const key = await createApiKey(resetd, 'resetd');
    const verify = (password: string) =>
      postJson(resetd, '/api/auth/verify', { email: 'set.password@example.com', password }, { authorization: `Bearer ${key}` }).then((r) => r.status);
    expect(await verify('Marmalade Compass Thunder Fjord')).toBe(200);
    expect(await verify(STRONG)).toBe(401);
  });

  it('deletes a user with their links and mail; the address can be added again', async () => {
    const id = await addUser(resetd, 'delete.me@example.com');
    const mail = await requestMail(resetd, 'delete.me@example.com');
    expect((await admin('DELETE', `/admin/users/${id}`)).status).toBe(204);
    expect((await admin('GET', `/admin/users/${id}`)).status).toBe(404);
    expect((await admin('DELETE', `/admin/users/${id}`)).status).toBe(404);
    expect(await resetd.database.query('SELECT hash FROM reset_tokens WHERE account_id = ?', id)).toEqual([]);
    expect(await resetd.database.query("SELECT id FROM outbox WHERE lower(identifier) = 'delete.me@example.com' OR identifier = ?", id)).toEqual([]);
    const token = linkIn(mail).searchParams.get('token');
    const validate = await fetch(`${resetd.url}/api/reset/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(validate.status).not.toBe(200);
    await addUser(resetd, 'delete.me@example.com');
  });

  it('audits each change by the token’s fingerprint and the user’s id, with field names and never values', async () => {
    const id = await addUser(resetd, 'audit.me@example.com');
    const before = audits().length;
    const changes = [
      await admin('PATCH', `/admin/users/${id}`, { name: 'Secret Name', disabled: false }),
      await admin('PUT', `/admin/users/${id}/password`, { password: 'Marmalade Compass Thunder Fjord' }),
      await admin('DELETE', `/admin/users/${id}`),
    ];
    await admin('DELETE', `/admin/users/${id}`);
    const events = audits().slice(before);
    // Each line carries the id of the request that made the change, as its answer said.
    const requestIds = changes.map((response) => response.headers.get('x-request-id'));
    expect(events.map((event) => [event?.action, event?.user, event?.requestId])).toEqual([
      ['user.update', id, requestIds[0]],
      ['user.set_password', id, requestIds[1]],
      ['user.delete', id, requestIds[2]],
    ]);
    expect(events[0]!.fields).toEqual(['disabled', 'name']);
    expect(JSON.stringify(events)).not.toMatch(/Secret Name|Marmalade|audit\.me/);
  });
});
