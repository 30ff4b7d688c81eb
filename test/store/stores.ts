import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Store } from '../../src/core/store.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/**
 * Every store implementation, for the contract suite: each test file runs its cases with
 * `describe.each(STORE_KINDS)` and `useStore(kind)`, whatever RESETD_TEST_STORE says.
 * SQLite: a new file per test in a temporary folder. PostgreSQL: a schema of the file's
 * own (RESETD_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test), emptied
 * before each test and dropped after the file. An unreachable PostgreSQL skips its cases
 * with a message, except in CI (CI=true), where it fails them.
 */
export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

const POSTGRES_URL = process.env.RESETD_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreUnderTest {
  readonly kind: StoreKind;
  /** This test's store, empty at its start. */
  readonly store: Store;
  /** Another instance on the same database, as a second resetd process would open it. */
  another(): Promise<Store>;
  /** Reads rows straight from the database (`?` placeholders), for what no port shows. */
  query<T>(sql: string, ...params: unknown[]): Promise<T[]>;
}

export function useStore(kind: StoreKind): StoreUnderTest {
  return kind === 'sqlite' ? useSqlite() : usePostgres();
}

function useSqlite(): StoreUnderTest {
  let dir = '';
  let path = '';
  let files = 0;
  let current: Store | undefined;
  const opened: Store[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'resetd-store-'));
  });
  beforeEach(() => {
    path = join(dir, `store-${++files}.db`);
    current = openSqliteStore(path);
    opened.push(current);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    kind: 'sqlite',
    get store() {
      if (!current) throw new Error('the store opens in beforeEach');
      return current;
    },
    async another() {
      const store = openSqliteStore(path);
      opened.push(store);
      return store;
    },
    async query<T>(sql: string, ...params: unknown[]) {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
  };
}

function usePostgres(): StoreUnderTest {
  const schema = `resetd_store_${randomBytes(6).toString('hex')}`;
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  let unreachable: string | undefined;
  let created = false;
  let current: PostgresStore | undefined;
  const opened: Store[] = [];

  const admin = async <T>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    try {
      await admin('SELECT 1');
    } catch (error) {
      const message = `PostgreSQL is not reachable at ${POSTGRES_URL} (${(error as Error).message})`;
      if (process.env.CI === 'true') throw new Error(`${message}: CI runs the store contract on both stores`);
      unreachable = `${message}: the PostgreSQL store contract is skipped (set RESETD_TEST_POSTGRES to run it)`;
      console.warn(unreachable);
    }
  });
  beforeEach(async (context) => {
    if (unreachable) context.skip(unreachable);
    // The first open creates the schema and migrates it; later tests empty its tables.
    current = await openPostgresStore({ url, poolSize: 10 });
    opened.push(current);
    if (created) {
      const tables = await admin<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name <> 'resetd_migrations'`,
      );
      await current.pool.query(`TRUNCATE ${tables.map((t) => `"${t.name}"`).join(', ')}`);
    }
    created = true;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    if (created) await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  return {
    kind: 'postgres',
    get store() {
      if (!current) throw new Error('the store opens in beforeEach');
      return current;
    },
    async another() {
      const store = await openPostgresStore({ url, poolSize: 10 });
      opened.push(store);
      return store;
    },
    async query<T>(sql: string, ...params: unknown[]) {
      if (!current) throw new Error('the store opens in beforeEach');
      let n = 0;
      return (await current.pool.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    },
  };
}
