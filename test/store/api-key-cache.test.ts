import { describe, expect, it } from 'vitest';
import { newSecret, sha256 } from '../../src/core/secrets.ts';
import type { Store } from '../../src/core/store.ts';
import { LISTENER_NAME } from '../../src/store/postgres/api-key-cache.ts';
import { until } from '../support/waiting.ts';
import { at } from './fixtures.ts';
import { useStore } from './stores.ts';

/**
 * Both stores keep valid API keys in memory, so a reset request with a key costs no query of
 * api_keys. On PostgreSQL every change to api_keys reaches every instance as a NOTIFY; on
 * SQLite any other connection's commit (PRAGMA data_version) sends the next lookup to the
 * file. Either way a revoked key is refused.
 */
describe('API keys kept in memory on SQLite', () => {
  const subject = useStore('sqlite');
  const key = { id: 'key_1', dialect: 'maiascore' as const, keyHash: sha256(newSecret()) };

  it('a key another connection revokes (the CLI, another process) is refused on the very next lookup', async () => {
    await subject.store.addApiKey({ ...key, createdAt: at(0) });
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toEqual(key);
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toEqual(key);
    const cli = await subject.another();
    expect(await cli.revokeApiKey(key.id, at(5))).toBe('revoked');
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toBeUndefined();
  });

  it('a key created by another connection is found on the next lookup, and a revoked one by this connection at once', async () => {
    const other = await subject.another();
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toBeUndefined();
    await other.addApiKey({ ...key, createdAt: at(0) });
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toEqual(key);
    expect(await subject.store.revokeApiKey(key.id, at(5))).toBe('revoked');
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toBeUndefined();
  });
});

describe('API keys kept in memory on PostgreSQL', () => {
  const subject = useStore('postgres');
  const newKey = (id: string) => ({ id, dialect: 'maiascore' as const, keyHash: sha256(newSecret()) });

  /** Runs `sql` with api_keys' trigger off, so no instance hears of it: what only memory still holds. */
  const unheard = async (sql: string, ...params: unknown[]) => {
    await subject.query(`ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed`);
    try {
      await subject.query(sql, ...params);
    } finally {
      await subject.query(`ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed`);
    }
  };
  const deleteUnheard = (id: string) => unheard(`DELETE FROM api_keys WHERE id = ?`, id);
  const insertUnheard = (key: ReturnType<typeof newKey>) =>
    unheard(`INSERT INTO api_keys (id, dialect, key_hash, created_at) VALUES (?, ?, ?, 0)`, key.id, key.dialect, key.keyHash);

  /** Until `store` answers `key` from memory (it listens, and has read the key since); the row stays as it was. */
  async function cached(store: Store, key: ReturnType<typeof newKey>) {
    await until(async () => {
      await store.findApiKeyByHash(key.keyHash);
      await deleteUnheard(key.id);
      const fromMemory = (await store.findApiKeyByHash(key.keyHash)) !== undefined;
      await insertUnheard(key);
      return fromMemory;
    }, 10_000);
  }

  it('a live key is answered from memory once the instance listens', async () => {
    const key = newKey('key_memory');
    await subject.store.addApiKey({ ...key, createdAt: at(0) });
    await cached(subject.store, key);
    await deleteUnheard(key.id);
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toEqual(key);
  });

  it('the instance that revokes a key refuses it at once; another, as soon as the notice arrives', async () => {
    const other = await subject.another();
    const key = newKey('key_revoked');
    await subject.store.addApiKey({ ...key, createdAt: at(0) });
    await cached(subject.store, key);
    await cached(other, key);
    expect(await other.revokeApiKey(key.id, at(5))).toBe('revoked');
    expect(await other.findApiKeyByHash(key.keyHash)).toBeUndefined();
    await until(async () => (await subject.store.findApiKeyByHash(key.keyHash)) === undefined, 2_000);
  });

  it("a key revoked in plain SQL (an operator's, the CLI's) is refused once the notice arrives", async () => {
    const key = newKey('key_sql');
    await subject.store.addApiKey({ ...key, createdAt: at(0) });
    await cached(subject.store, key);
    await subject.query(`UPDATE api_keys SET revoked_at = 5 WHERE id = ?`, key.id);
    await until(async () => (await subject.store.findApiKeyByHash(key.keyHash)) === undefined, 2_000);
  });

  it('a wrong key is never kept: it is looked up again, and found once it exists', async () => {
    const probe = newKey('key_probe');
    await subject.store.addApiKey({ ...probe, createdAt: at(0) });
    await cached(subject.store, probe);
    const key = newKey('key_later');
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toBeUndefined();
    await insertUnheard(key);
    expect(await subject.store.findApiKeyByHash(key.keyHash)).toEqual(key);
  });

  it('while the listening connection is cut, every lookup asks the database', async () => {
    const key = newKey('key_cut');
    await subject.store.addApiKey({ ...key, createdAt: at(0) });
    await cached(subject.store, key);
    const [cut] = await subject.query<{ cut: boolean }>(`SELECT bool_or(pg_terminate_backend(pid)) AS cut FROM pg_stat_activity WHERE application_name = ?`, LISTENER_NAME);
    expect(cut?.cut).toBe(true);
    // Unheard: no instance is told; what the instance knows from memory must not answer.
    await deleteUnheard(key.id);
    await until(async () => (await subject.store.findApiKeyByHash(key.keyHash)) === undefined, 5_000);
  });
});
