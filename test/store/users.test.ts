import { describe, expect, it } from 'vitest';
import { at, newUser } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** UserStore: resetd's own accounts (DIRECTORY=builtin), one per mailbox. */
describe.each(STORE_KINDS)('users on %s', (kind) => {
  const subject = useStore(kind);
  const passwordOf = async (id: string) =>
    (await subject.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = ?', id))[0]?.password_hash;

  it('an account is added once per email key; a second with the same key is refused and the first kept', async () => {
    const first = newUser('Ana@Example.com', { emailKey: 'ana@example.com', name: 'Ana', locale: 'pt-BR' });
    expect(await subject.store.addUser(first)).toBe('added');
    expect(await subject.store.addUser(newUser('ANA@example.com', { emailKey: 'ana@example.com' }))).toBe('exists');
    expect(await subject.store.findUserByEmailKey('ana@example.com')).toEqual({ id: first.id, email: 'Ana@Example.com', name: 'Ana', locale: 'pt-BR', disabled: false });
  });

  it('finds an account by its email key only', async () => {
    const user = newUser('bo@example.com', { disabled: true });
    await subject.store.addUser(user);
    expect(await subject.store.findUserByEmailKey('bo@example.com')).toEqual({ id: user.id, email: user.email, name: null, locale: null, disabled: true });
    expect(await subject.store.findUserByEmailKey('BO@example.com')).toBeUndefined();
    expect(await subject.store.findUserByEmailKey('nobody@example.com')).toBeUndefined();
  });

  it('an id names its account even when names equal it; otherwise names match case-insensitively, in id order, at most `limit`', async () => {
    const byId = newUser('id@example.com', { id: 'usr_sam' });
    const namedLikeId = newUser('like-id@example.com', { name: 'usr_sam' });
    const sams = [newUser('s1@example.com', { id: 'usr_b', name: 'Sam' }), newUser('s2@example.com', { id: 'usr_a', name: 'SAM' }), newUser('s3@example.com', { id: 'usr_c', name: 'sam' })];
    const emile = newUser('e@example.com', { name: 'Émile' });
    for (const user of [byId, namedLikeId, ...sams, emile]) await subject.store.addUser(user);

    expect((await subject.store.findUsersByIdOrName('usr_sam', 5)).map((u) => u.id)).toEqual(['usr_sam']);
    expect((await subject.store.findUsersByIdOrName('sAm', 5)).map((u) => u.id)).toEqual(['usr_a', 'usr_b', 'usr_c']);
    expect((await subject.store.findUsersByIdOrName('sam', 2)).map((u) => u.id)).toEqual(['usr_a', 'usr_b']);
    expect((await subject.store.findUsersByIdOrName('éMILE', 2)).map((u) => u.id)).toEqual([emile.id]);
    expect(await subject.store.findUsersByIdOrName('nobody', 2)).toEqual([]);
    // An id is matched exactly; in another case it is only a name.
    expect((await subject.store.findUsersByIdOrName('USR_SAM', 2)).map((u) => u.id)).toEqual([namedLikeId.id]);
  });

  it('sets the password of an enabled account; an unknown or disabled one is missing and keeps its password', async () => {
    const enabled = newUser('on@example.com', { passwordHash: 'old-on' });
    const disabled = newUser('off@example.com', { passwordHash: 'old-off', disabled: true });
    await subject.store.addUser(enabled);
    await subject.store.addUser(disabled);
    expect(await subject.store.setUserPassword(enabled.id, 'new-on', at(1))).toBe('done');
    expect(await subject.store.setUserPassword(disabled.id, 'new-off', at(1))).toBe('missing');
    expect(await subject.store.setUserPassword('usr_unknown', 'new', at(1))).toBe('missing');
    expect(await passwordOf(enabled.id)).toBe('new-on');
    expect(await passwordOf(disabled.id)).toBe('old-off');
  });
});
