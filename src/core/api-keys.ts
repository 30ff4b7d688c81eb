import type { components } from '../../generated/api.ts';
import { DIALECTS, isDialect } from './dialects.ts';
import type { Clock } from './ports.ts';
import type { ApiKey, ApiKeyStore } from './store.ts';
import { newId, newSecret, sameDigest, sha256 } from './secrets.ts';

/** What a key opens: one dialect's reset request, or `resetd` for resetd's own verify. */
export type KeyScope = components['schemas']['KeyScope'];

/** Every scope a key can have, for the CLI's choices and messages. */
export const KEY_SCOPES: readonly KeyScope[] = [...DIALECTS, 'resetd'];

export function isKeyScope(value: unknown): value is KeyScope {
  return value === 'resetd' || isDialect(value);
}

export interface CreatedApiKey {
  id: string;
  dialect: KeyScope;
  /** Shown once; only its SHA-256 is stored. */
  key: string;
}

export async function createApiKey(
  deps: { store: ApiKeyStore; clock: Clock },
  dialect: KeyScope,
): Promise<CreatedApiKey> {
  const key = `rsd_${dialect}_${newSecret()}`;
  const id = newId('key');
  await deps.store.addApiKey({ id, dialect, keyHash: sha256(key), createdAt: deps.clock.now() });
  return { id, dialect, key };
}

/**
 * Whether `presented` is a live key of this scope. A key of another scope is refused:
 * each key opens exactly one door.
 */
export async function findValidApiKey(
  deps: { store: ApiKeyStore },
  dialect: KeyScope,
  presented: string,
): Promise<ApiKey | undefined> {
  if (presented.length === 0 || presented.length > 200) return undefined;
  const digest = sha256(presented);
  const found = await deps.store.findApiKeyByHash(digest);
  return found !== undefined && sameDigest(found.keyHash, digest) && found.dialect === dialect ? found : undefined;
}

/** Stops a key from opening anything, at once. */
export function revokeApiKey(deps: { store: ApiKeyStore; clock: Clock }, id: string): Promise<'revoked' | 'unknown'> {
  return deps.store.revokeApiKey(id, deps.clock.now());
}
