import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/secrets.ts';
import type { ImportedUser } from '../../src/core/store.ts';
import { at, newUser, resetToken } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** UserImportStore: upsert by email key, a batch in or out, tokens revoked when the account changes under them. */
const imported = (email: string, fields: Partial<ImportedUser> = {}): ImportedUser => ({
  id: newId('usr'),
  email,
  emailKey: email.toLowerCase(),
  name: null,
  locale: null,
  disabled: false,
  passwordHash: null,
  ...fields,
});

describe.each(STORE_KINDS)('user import on %s', (kind) => {
  const subject = useStore(kind);
  const rowOf = async (emailKey: string) =>
    (
      await subject.query<{ id: string; email: string; name: string | null; name_key: string | null; locale: string | null; disabled: number | boolean; password_hash: string | null; created_at: number; password_changed_at: number | null }>(
        'SELECT id, email, name, name_key, locale, disabled, password_hash, created_at, password_changed_at FROM users WHERE email_key = ?',
        emailKey,
      )
    )[0];
  const liveTokens = async (accountId: string) =>
    (await subject.query<{ hash: string }>('SELECT hash FROM reset_tokens WHERE account_id = ? AND revoked_at IS NULL AND used_at IS NULL', accountId)).length;

  it('adds new users, updates changed ones and leaves equal ones unchanged, one result per row in order', async () => {
    await subject.store.addUser(newUser('kept@example.com', { emailKey: 'kept@example.com', name: 'Kept', passwordHash: 'hash-kept' }));
    await subject.store.addUser(newUser('changed@example.com', { emailKey: 'changed@example.com', name: 'Old' }));
    const results = await subject.store.importUsers(
      [imported('new@example.com', { name: 'Émile', locale: 'fr', passwordHash: 'hash-new' }), imported('kept@example.com', { name: 'Kept' }), imported('changed@example.com', { name: 'New', disabled: true })],
      at(5),
    );
    expect(results).toEqual(['added', 'unchanged', 'updated']);
    expect(await rowOf('new@example.com')).toMatchObject({ name: 'Émile', name_key: 'émile', locale: 'fr', password_hash: 'hash-new', created_at: at(5).getTime() });
    // An empty hash keeps the stored one.
    expect(await rowOf('kept@example.com')).toMatchObject({ password_hash: 'hash-kept' });
    expect(await rowOf('changed@example.com')).toMatchObject({ name: 'New', name_key: 'new', disabled: kind === 'sqlite' ? 1 : true });
    // The same rows again change nothing.
    expect(await subject.store.importUsers([imported('new@example.com', { name: 'Émile', locale: 'fr', passwordHash: 'hash-new' })], at(6))).toEqual(['unchanged']);
  });

  it('a hash set by import replaces the stored one without counting as a password change', async () => {
    const user = newUser('h@example.com', { emailKey: 'h@example.com', passwordHash: 'hash-1' });
    await subject.store.addUser(user);
    expect(await subject.store.importUsers([imported('h@example.com', { passwordHash: 'hash-2' })], at(1))).toEqual(['updated']);
    expect(await rowOf('h@example.com')).toMatchObject({ id: user.id, password_hash: 'hash-2', password_changed_at: null });
  });

  it('never writes a file’s hash over a password set in resetd since (a reset, the operator); the other fields still apply', async () => {
    const user = newUser('reset@example.com', { emailKey: 'reset@example.com', passwordHash: 'hash-from-file' });
    await subject.store.addUser(user);
    expect(await subject.store.setUserPassword(user.id, 'hash-after-reset', at(1))).toBe('done');
    const again = imported('reset@example.com', { passwordHash: 'hash-from-file' });
    expect(await subject.store.importUsers([again], at(2))).toEqual(['unchanged']);
    expect(await subject.store.importUsers([{ ...again, name: 'Renamed' }], at(3))).toEqual(['updated']);
    expect(await rowOf('reset@example.com')).toMatchObject({ name: 'Renamed', password_hash: 'hash-after-reset' });
  });

  it("revokes the account's unused reset tokens when the address text, the hash or the enabled state changes, not for a name", async () => {
    const cases: [string, Partial<ImportedUser>, string, number][] = [
      ['name@example.com', { name: 'Another name' }, 'name@example.com', 1],
      ['case@example.com', {}, 'CASE@example.com', 0],
      ['hash@example.com', { passwordHash: 'hash-new' }, 'hash@example.com', 0],
      ['off@example.com', { disabled: true }, 'off@example.com', 0],
    ];
    for (const [email, fields, importedEmail, live] of cases) {
      const user = newUser(email, { emailKey: email, passwordHash: 'hash-old' });
      await subject.store.addUser(user);
      await subject.store.addResetToken(resetToken(user.id, at(0)));
      expect(await subject.store.importUsers([imported(importedEmail, fields)], at(1))).toEqual(['updated']);
      expect(await liveTokens(user.id), email).toBe(live);
    }
    expect((await rowOf('case@example.com'))?.email).toBe('CASE@example.com');
  });

  it('a batch that fails leaves none of its rows: a row is in or out', async () => {
    await subject.store.addUser(newUser('taken@example.com', { emailKey: 'taken@example.com', id: 'usr_taken' }));
    // The second row's new id collides with a stored user's: the insert fails, and the first row goes with it.
    const batch = [imported('first@example.com', { name: 'First' }), imported('second@example.com', { id: 'usr_taken' })];
    await expect(subject.store.importUsers(batch, at(1))).rejects.toThrow();
    expect(await rowOf('first@example.com')).toBeUndefined();
    expect(await rowOf('second@example.com')).toBeUndefined();
  });

  it('exports every user by id in keyset pages, with the stored hash', async () => {
    const ids = ['usr_c', 'usr_a', 'usr_e', 'usr_b', 'usr_d'];
    for (const id of ids) await subject.store.addUser(newUser(`${id}@example.com`, { id, emailKey: `${id}@example.com`, passwordHash: `hash-${id}` }));
    const first = await subject.store.exportUsers(null, 2);
    expect(first.map((u) => u.id)).toEqual(['usr_a', 'usr_b']);
    expect(first[0]).toEqual({ id: 'usr_a', email: 'usr_a@example.com', name: null, locale: null, disabled: false, passwordHash: 'hash-usr_a' });
    expect((await subject.store.exportUsers('usr_b', 2)).map((u) => u.id)).toEqual(['usr_c', 'usr_d']);
    expect((await subject.store.exportUsers('usr_d', 2)).map((u) => u.id)).toEqual(['usr_e']);
    expect(await subject.store.exportUsers('usr_e', 2)).toEqual([]);
  });
});
