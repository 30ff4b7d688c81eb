import { describe, expect, it } from 'vitest';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { at, newUser, resetItem, resetToken, T0 } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** UserAdminStore: the operator lists, changes and deletes resetd's own users. */
describe.each(STORE_KINDS)('user administration on %s', (kind) => {
  const subject = useStore(kind);
  const tokenStates = async (accountId: string) =>
    (await subject.query<{ revoked_at: number | null }>('SELECT revoked_at FROM reset_tokens WHERE account_id = ?', accountId)).map((row) =>
      row.revoked_at === null ? 'live' : 'revoked',
    );

  it('lists in id order from a cursor, at most `limit`, filtered by email key prefix', async () => {
    const users = ['b@example.com', 'ab@example.com', 'aa@example.org', 'c@example.com'].map((email, i) => newUser(email, { id: `usr_${i}`, name: email[0]! }));
    for (const user of users) await subject.store.addUser(user);

    const ids = async (query: { after: string | null; emailKeyPrefix: string | null; limit: number }) => (await subject.store.listUsers(query)).map((u) => u.id);
    expect(await ids({ after: null, emailKeyPrefix: null, limit: 10 })).toEqual(['usr_0', 'usr_1', 'usr_2', 'usr_3']);
    expect(await ids({ after: null, emailKeyPrefix: null, limit: 2 })).toEqual(['usr_0', 'usr_1']);
    expect(await ids({ after: 'usr_1', emailKeyPrefix: null, limit: 2 })).toEqual(['usr_2', 'usr_3']);
    expect(await ids({ after: null, emailKeyPrefix: 'a', limit: 10 })).toEqual(['usr_1', 'usr_2']);
    expect(await ids({ after: 'usr_1', emailKeyPrefix: 'a', limit: 10 })).toEqual(['usr_2']);
    // A prefix is matched literally: LIKE's wildcards mean nothing here.
    expect(await ids({ after: null, emailKeyPrefix: '_', limit: 10 })).toEqual([]);
    expect(await ids({ after: null, emailKeyPrefix: '%', limit: 10 })).toEqual([]);
  });

  it('shows an account with whether it has a password and when it changed, never the hash', async () => {
    const user = newUser('Ana@Example.com', { emailKey: 'ana@example.com', name: 'Ana', locale: 'pt-BR', passwordHash: 'secret-hash' });
    await subject.store.addUser(user);
    const record = await subject.store.getUser(user.id);
    expect(record).toMatchObject({ id: user.id, email: 'Ana@Example.com', name: 'Ana', locale: 'pt-BR', disabled: false, hasPassword: true, createdAt: T0, passwordChangedAt: null });
    expect(JSON.stringify(record)).not.toContain('secret-hash');
    expect(await subject.store.getUser('usr_unknown')).toBeUndefined();
  });

  it('changes only the fields given; null clears a name; the name still finds the account', async () => {
    const user = newUser('x@example.com', { name: 'Old', locale: 'de' });
    await subject.store.addUser(user);
    const changed = await subject.store.updateUser(user.id, { name: 'New Name' }, at(1));
    expect(changed).toMatchObject({ kind: 'updated', user: { email: 'x@example.com', name: 'New Name', locale: 'de', disabled: false } });
    expect((await subject.store.findUsersByIdOrName('new name', 5)).map((u) => u.id)).toEqual([user.id]);
    expect(await subject.store.updateUser(user.id, { name: null, locale: null }, at(2))).toMatchObject({ kind: 'updated', user: { name: null, locale: null } });
    expect(await subject.store.findUsersByIdOrName('new name', 5)).toEqual([]);
    expect(await subject.store.updateUser('usr_unknown', { name: 'x' }, at(3))).toEqual({ kind: 'missing' });
  });

  it('refuses an email another user has, and keeps both; a user may take their own address in another case', async () => {
    const one = newUser('one@example.com');
    const two = newUser('two@example.com');
    await subject.store.addUser(one);
    await subject.store.addUser(two);
    expect(await subject.store.updateUser(two.id, { email: { email: 'ONE@example.com', emailKey: 'one@example.com' }, name: 'Two' }, at(1))).toEqual({ kind: 'exists' });
    expect(await subject.store.getUser(two.id)).toMatchObject({ email: 'two@example.com', name: null });
    expect(await subject.store.updateUser(one.id, { email: { email: 'One@Example.com', emailKey: 'one@example.com' } }, at(1))).toMatchObject({ kind: 'updated', user: { email: 'One@Example.com' } });
    expect(await subject.store.findUserByEmailKey('one@example.com')).toMatchObject({ id: one.id });
  });

  it('a new email or disabling revokes the unused reset tokens; a name change does not', async () => {
    const user = newUser('t@example.com');
    await subject.store.addUser(user);
    await subject.store.addResetToken(resetToken(user.id, at(0)));
    await subject.store.updateUser(user.id, { name: 'Tee' }, at(1));
    expect(await tokenStates(user.id)).toEqual(['live']);
    await subject.store.updateUser(user.id, { email: { email: 'tee@example.com', emailKey: 'tee@example.com' } }, at(2));
    expect(await tokenStates(user.id)).toEqual(['revoked']);

    await subject.store.addResetToken(resetToken(user.id, at(3)));
    await subject.store.updateUser(user.id, { disabled: true }, at(4));
    expect(await tokenStates(user.id)).toEqual(['revoked', 'revoked']);
    expect((await subject.store.getUser(user.id))?.disabled).toBe(true);
  });

  it('the operator sets the password of any account, enabled or not, revoking its unused tokens', async () => {
    const user = newUser('p@example.com', { disabled: true, passwordHash: 'old' });
    await subject.store.addUser(user);
    await subject.store.addResetToken(resetToken(user.id, at(0)));
    expect(await subject.store.replaceUserPassword(user.id, 'new', at(5))).toBe('done');
    expect(await subject.query('SELECT password_hash, password_changed_at FROM users WHERE id = ?', user.id)).toEqual([{ password_hash: 'new', password_changed_at: at(5).getTime() }]);
    expect(await tokenStates(user.id)).toEqual(['revoked']);
    expect(await subject.store.replaceUserPassword('usr_unknown', 'new', at(5))).toBe('missing');
  });

  it('deleting removes the user, their tokens, the mail to or about them and the counters named, and nobody else’s', async () => {
    const gone = newUser('Gone@Example.com', { emailKey: 'gone@example.com' });
    const kept = newUser('kept@example.com');
    await subject.store.addUser(gone);
    await subject.store.addUser(kept);
    await subject.store.addResetToken(resetToken(gone.id, at(0)));
    await subject.store.addResetToken(resetToken(kept.id, at(0)));
    await subject.store.addResetRequest(resetItem(at(0), { identifier: 'GONE@example.com' }));
    await subject.store.addResetRequest(resetItem(at(0), { identifier: gone.id, kind: 'password_changed', payload: '{}' }));
    await subject.store.addResetRequest(resetItem(at(0), { identifier: 'kept@example.com' }));
    const counters = limiterFactoryFor(subject.store)({ keyPrefix: 'a', points: 10, duration: 600 });
    await counters.consume('gone');
    await counters.consume('kept');

    const named: string[] = [];
    const result = await subject.store.deleteUser(gone.id, (user) => {
      named.push(user.emailKey, user.id);
      return ['a:gone'];
    });
    expect(result).toBe('deleted');
    expect(named).toEqual(['gone@example.com', gone.id]);
    expect(await subject.store.getUser(gone.id)).toBeUndefined();
    expect(await subject.query('SELECT account_id FROM reset_tokens')).toEqual([{ account_id: kept.id }]);
    expect(await subject.query('SELECT identifier FROM outbox')).toEqual([{ identifier: 'kept@example.com' }]);
    expect(await subject.query('SELECT key FROM rate_limits')).toEqual([{ key: 'a:kept' }]);
    expect(await subject.store.deleteUser(gone.id, () => [])).toBe('missing');
    // The address is free again.
    expect(await subject.store.addUser(newUser('gone@example.com'))).toBe('added');
  });
});
