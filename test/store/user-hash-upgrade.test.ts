import { describe, expect, it } from 'vitest';
import { at, newUser } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** UserStore, for verify: reading an account's stored hash, and replacing it after a login (rehash on login). */
describe.each(STORE_KINDS)('password hash upgrade on %s', (kind) => {
  const subject = useStore(kind);
  const passwordOf = async (id: string) =>
    (await subject.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = ?', id))[0]?.password_hash;

  it('reads an account with its stored hash by email key, disabled or not, and none for an unknown key', async () => {
    const user = newUser('ada@example.com', { name: 'Ada', locale: 'en', passwordHash: '$2b$10$stored' });
    const off = newUser('off@example.com', { disabled: true, passwordHash: null });
    await subject.store.addUser(user);
    await subject.store.addUser(off);
    expect(await subject.store.findUserPassword('ada@example.com')).toEqual({
      account: { id: user.id, email: 'ada@example.com', name: 'Ada', locale: 'en', disabled: false },
      passwordHash: '$2b$10$stored',
    });
    expect(await subject.store.findUserPassword('off@example.com')).toEqual({
      account: { id: off.id, email: 'off@example.com', name: null, locale: null, disabled: true },
      passwordHash: null,
    });
    expect(await subject.store.findUserPassword('nobody@example.com')).toBeUndefined();
  });

  it('replaces the hash only while it is still the one that was verified', async () => {
    const user = newUser('bo@example.com', { passwordHash: 'bcrypt-old' });
    await subject.store.addUser(user);
    expect(await subject.store.upgradeUserPasswordHash(user.id, 'bcrypt-old', 'argon2id-new')).toBe('upgraded');
    expect(await passwordOf(user.id)).toBe('argon2id-new');
    // A second login that verified the old hash, racing the first, changes nothing.
    expect(await subject.store.upgradeUserPasswordHash(user.id, 'bcrypt-old', 'argon2id-other')).toBe('changed');
    expect(await passwordOf(user.id)).toBe('argon2id-new');
  });

  it('never overwrites a password set by a reset after the old one was verified', async () => {
    const user = newUser('cy@example.com', { passwordHash: 'bcrypt-old' });
    await subject.store.addUser(user);
    expect(await subject.store.setUserPassword(user.id, 'argon2id-from-reset', at(1))).toBe('done');
    expect(await subject.store.upgradeUserPasswordHash(user.id, 'bcrypt-old', 'argon2id-of-old-password')).toBe('changed');
    expect(await passwordOf(user.id)).toBe('argon2id-from-reset');
    expect(await subject.store.upgradeUserPasswordHash('usr_unknown', 'bcrypt-old', 'x')).toBe('changed');
  });
});
