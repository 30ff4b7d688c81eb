import { describe, expect, it } from 'vitest';
import { newSecret, sha256 } from '../../src/core/secrets.ts';
import { at } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** ApiKeyStore: keys kept as their SHA-256, found only while live, revoked once. */
describe.each(STORE_KINDS)('API keys on %s', (kind) => {
  const subject = useStore(kind);
  const key = (id: string, dialect: 'rocketchat' | 'maiascore' = 'rocketchat') => ({ id, dialect, keyHash: sha256(newSecret()) });

  it('a live key is found by its hash, and only by it', async () => {
    const live = key('key_1', 'maiascore');
    await subject.store.addApiKey({ ...live, createdAt: at(0) });
    expect(await subject.store.findApiKeyByHash(live.keyHash)).toEqual(live);
    expect(await subject.store.findApiKeyByHash(sha256('a guess'))).toBeUndefined();
    expect(await subject.store.findApiKeyByHash('key_1')).toBeUndefined();
  });

  it('a revoked key is no longer found; revoking happens once', async () => {
    const revoked = key('key_1');
    const kept = key('key_2');
    await subject.store.addApiKey({ ...revoked, createdAt: at(0) });
    await subject.store.addApiKey({ ...kept, createdAt: at(1) });
    expect(await subject.store.revokeApiKey('key_1', at(5))).toBe('revoked');
    expect(await subject.store.revokeApiKey('key_1', at(6))).toBe('unknown');
    expect(await subject.store.revokeApiKey('key_unknown', at(6))).toBe('unknown');
    expect(await subject.store.findApiKeyByHash(revoked.keyHash)).toBeUndefined();
    expect(await subject.store.findApiKeyByHash(kept.keyHash)).toEqual(kept);
  });

  it('lists live and revoked keys, oldest first, without their hashes', async () => {
    await subject.store.addApiKey({ ...key('key_new', 'maiascore'), createdAt: at(10) });
    await subject.store.addApiKey({ ...key('key_old'), createdAt: at(1) });
    await subject.store.revokeApiKey('key_old', at(20));
    expect(await subject.store.listApiKeys()).toEqual([
      { id: 'key_old', dialect: 'rocketchat', createdAt: at(1), revokedAt: at(20) },
      { id: 'key_new', dialect: 'maiascore', createdAt: at(10), revokedAt: null },
    ]);
  });

  it('two keys cannot share a hash', async () => {
    const first = key('key_1');
    await subject.store.addApiKey({ ...first, createdAt: at(0) });
    await expect(subject.store.addApiKey({ ...first, id: 'key_2', createdAt: at(1) })).rejects.toThrow();
    expect(await subject.store.findApiKeyByHash(first.keyHash)).toEqual(first);
  });
});
