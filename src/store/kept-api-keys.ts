import type { ApiKey } from '../core/store.ts';

/** Keys kept at most; past it the memory is emptied (keys are few; wrong ones are never kept). */
const MAX_KEPT = 10_000;

export interface KeptApiKeys {
  get(keyHash: string): ApiKey | undefined;
  /** Keeps a key found by a lookup that began at generation `seen`, unless something changed since. */
  keep(keyHash: string, key: ApiKey, seen: number): void;
  /** Bumped by every forget: a lookup that raced with a change does not keep what it read. */
  readonly generation: number;
  /** api_keys changed (here or elsewhere): nothing kept is trusted any more. */
  forget(): void;
}

/**
 * Valid API keys in memory, so a reset request with a key reads no row of api_keys. Each
 * store decides when to forget: on its own changes, and when another connection may have
 * changed them (SQLite: PRAGMA data_version; PostgreSQL: a NOTIFY, api-key-cache.ts).
 */
export function keptApiKeys(): KeptApiKeys {
  const keys = new Map<string, ApiKey>();
  let generation = 0;
  return {
    get: (keyHash) => keys.get(keyHash),
    keep(keyHash, key, seen) {
      if (seen !== generation) return;
      if (keys.size >= MAX_KEPT) keys.clear();
      keys.set(keyHash, key);
    },
    get generation() {
      return generation;
    },
    forget() {
      keys.clear();
      generation++;
    },
  };
}
