import type { DialectName } from './dialects.ts';
import type { Clock, Store } from './ports.ts';
import { newId, newSecret, sameDigest, sha256 } from './secrets.ts';

export interface CreatedApiKey {
  id: string;
  dialect: DialectName;
  /** Shown once; only its SHA-256 is stored. */
  key: string;
}

export async function createApiKey(
  deps: { store: Store; clock: Clock },
  dialect: DialectName,
): Promise<CreatedApiKey> {
  const key = `rsd_${dialect}_${newSecret()}`;
  const id = newId('key');
  await deps.store.addApiKey({ id, dialect, keyHash: sha256(key), createdAt: deps.clock.now() });
  return { id, dialect, key };
}

/**
 * Whether `presented` is a live key of this dialect. A key of another dialect is refused:
 * each key opens exactly one door.
 */
export async function isValidApiKey(
  deps: { store: Store },
  dialect: DialectName,
  presented: string,
): Promise<boolean> {
  if (presented.length === 0 || presented.length > 200) return false;
  const digest = sha256(presented);
  const found = await deps.store.findApiKeyByHash(digest);
  return found !== undefined && sameDigest(found.keyHash, digest) && found.dialect === dialect;
}
