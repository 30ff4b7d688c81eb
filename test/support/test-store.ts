import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tempDir } from './temp-dir.ts';

/**
 * The store the tests run against: SQLite by default, PostgreSQL with
 * RESETD_TEST_STORE=postgres (CI runs the suite both ways). Each test database is its own:
 * a SQLite file in a temporary folder, or a PostgreSQL schema of its own.
 */
export const TEST_STORE = process.env.RESETD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_POSTGRES = process.env.RESETD_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  /** Runs a query with `?` placeholders and returns its rows. */
  query<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Every stored byte as text, to prove a secret is not in it. */
  dump(): Promise<string>;
  drop(): Promise<void>;
}

/** Rows in a test database's outbox: every mail (and webhook) resetd will ever send starts as one. */
export async function countOutboxRows(database: Pick<TestDatabase, 'query'>): Promise<number> {
  const [row] = await database.query<{ n: number | string }>('SELECT count(*) AS n FROM outbox');
  return Number(row!.n);
}

export function newTestDatabase(): TestDatabase {
  return TEST_STORE === 'postgres' ? postgresDatabase() : sqliteDatabase();
}

function sqliteDatabase(): TestDatabase {
  const dir = tempDir('test');
  const path = dir.file('resetd.db');
  return {
    url: `sqlite:${path}`,
    async query<T>(sql: string, ...params: unknown[]) {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    // The file and its write-ahead log, byte for byte.
    async dump() {
      return ['', '-wal'].map((suffix) => { try { return readFileSync(path + suffix).toString('latin1'); } catch { return ''; } }).join('');
    },
    async drop() {
      dir.remove();
    },
  };
}

function postgresDatabase(): TestDatabase {
  const schema = `resetd_test_${randomBytes(6).toString('hex')}`;
  const url = `${TEST_POSTGRES}${TEST_POSTGRES.includes('?') ? '&' : '?'}schema=${schema}`;
  const run = async <T>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES, options: `-c search_path=${schema}`, types: { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) } as never });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    url,
    query: (sql, ...params) => run(sql, params),
    // Every row of every table, as text.
    async dump() {
      const tables = await run<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}'`);
      const rows = await Promise.all(tables.map((t) => run(`SELECT * FROM "${t.table_name}"`)));
      return JSON.stringify(rows);
    },
    async drop() {
      await run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}
