import type { Store } from '../core/ports.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

/** Opens the store a `DATABASE_URL` names: `sqlite:<path>` (postgres:// comes with the PostgreSQL store). */
export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length));
  throw new Error(`DATABASE_URL: unsupported store in ${JSON.stringify(databaseUrl.split(':')[0])}`);
}
