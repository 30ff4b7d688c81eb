import type { Store } from '../core/store.ts';
import type { SqliteStoreOptions } from './sqlite/sqlite-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

/**
 * Opens the store a `DATABASE_URL` names: `sqlite:<path>`, or `postgres://…` for several
 * instances. The PostgreSQL store is loaded only when named: its driver would take room in
 * every thread of a resetd on SQLite.
 */
export async function openStore(databaseUrl: string, poolSize = 10, sqlite: SqliteStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStore(databaseUrl.slice('sqlite:'.length), sqlite);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return (await import('./postgres/postgres-store.ts')).openPostgresStore({ url: databaseUrl, poolSize });
  throw new Error(`DATABASE_URL: unsupported store in ${JSON.stringify(databaseUrl.split(':')[0])}`);
}
