import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { tempDir } from '../support/temp-dir.ts';

/**
 * An application's own database for the sql directory to work on: a users table and a
 * sessions table, in a schema (PostgreSQL), a database (MariaDB) or a file (SQLite) of
 * its own, dropped afterwards. Each engine spells "disabled" its own way, as real
 * applications do: PostgreSQL an `active` boolean, MariaDB a `banned` TINYINT(1), SQLite
 * a `disabled` integer.
 */
export interface AppDatabase {
  engine: 'postgres' | 'mysql' | 'sqlite';
  /** DIRECTORY_URL for this database. */
  url: string;
  findSql: string;
  /** A find that takes longer than any time limit in the tests (null: the engine cannot sleep). */
  slowFindSql: string | null;
  /** Runs SQL with `?` placeholders, as the application would. */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Empties both tables and writes the accounts and sessions below. */
  seed(): Promise<void>;
  /** Holds the write lock on one user's row, as a busy application would, until `release`. */
  lockUser(id: string): Promise<{ release(): Promise<void> }>;
  /** Ends every connection the directory has open, from the server's side; answers how many. */
  killDirectoryConnections(): Promise<number>;
  /**
   * How many of the directory's statements wait for a lock another connection holds (SQLite
   * cannot tell: 0). Ask less often than every 0.1 s: MariaDB refreshes INNODB_TRX only after
   * 0.1 s without a read, so faster polling keeps showing the moment before the wait began.
   */
  lockWaits(): Promise<number>;
  drop(): Promise<void>;
}

export const TEST_POSTGRES = process.env.RESETD_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_MYSQL = process.env.RESETD_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

/** id, email, name, locale, disabled: ids 1–4, so a test can rely on them. */
export const USERS = [
  ['1', 'Ada.Lovelace@Example.com', 'Ada', 'en', false],
  ['2', 'grace@example.com', 'Grace', 'de', true],
  ['3', 'twin@example.com', null, null, false],
  ['4', 'TWIN@Example.com', null, null, false],
] as const;
export const OLD_HASH = 'old-hash';

const SESSIONS = [
  ['s1', '1'],
  ['s2', '1'],
  ['s3', '2'],
];

const name = () => `resetd_dir_${randomBytes(5).toString('hex')}`;

/** Whether anything answers at `url` within two seconds. */
export async function reachable(engine: 'postgres' | 'mysql', url: string): Promise<boolean> {
  try {
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      client.on('error', () => {});
      await client.connect();
      await client.end();
    } else {
      const connection = await mysql.createConnection({ uri: url, connectTimeout: 2_000 });
      await connection.end();
    }
    return true;
  } catch {
    return false;
  }
}

export async function postgresApp(): Promise<AppDatabase> {
  const schema = name();
  const admin = new pg.Client({ connectionString: TEST_POSTGRES, options: `-c search_path=${schema}` });
  admin.on('error', () => {});
  await admin.connect();
  const run = async <T>(sql: string, params: unknown[] = [], client: pg.Client = admin) => {
    let n = 0;
    return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
  };
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, display_name text, lang text,
    active boolean NOT NULL DEFAULT true, password_hash text NOT NULL)`);
  await admin.query(`CREATE TABLE sessions (token text PRIMARY KEY, user_id bigint NOT NULL)`);
  const separator = TEST_POSTGRES.includes('?') ? '&' : '?';
  return {
    engine: 'postgres',
    // The application's tables are found through the search path; the name lets the test find the directory's connections.
    url: `${TEST_POSTGRES}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}&application_name=${schema}`,
    findSql: `SELECT id, email, display_name AS name, lang AS locale, NOT active AS disabled
                FROM users WHERE lower(email) = :identifier::text -- the key is already lower case`,
    slowFindSql: `SELECT id, email FROM users, pg_sleep(5) WHERE lower(email) = :identifier`,
    query: (sql, ...params) => run(sql, params),
    async seed() {
      await admin.query('TRUNCATE users, sessions');
      for (const [id, email, displayName, lang, disabled] of USERS) {
        await run('INSERT INTO users (id, email, display_name, lang, active, password_hash) VALUES (?, ?, ?, ?, ?, ?)', [id, email, displayName, lang, !disabled, OLD_HASH]);
      }
      for (const [token, userId] of SESSIONS) await run('INSERT INTO sessions (token, user_id) VALUES (?, ?)', [token, userId]);
    },
    async lockUser(id) {
      const client = new pg.Client({ connectionString: TEST_POSTGRES, options: `-c search_path=${schema}` });
      client.on('error', () => {});
      await client.connect();
      await client.query('BEGIN');
      await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
      return {
        async release() {
          await client.query('ROLLBACK');
          await client.end();
        },
      };
    },
    async killDirectoryConnections() {
      const rows = await run<{ pid: number }>(`SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE application_name = ?`, [schema]);
      return rows.length;
    },
    async lockWaits() {
      const [row] = await run<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'`, [schema]);
      return row!.n;
    },
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export async function mysqlApp(): Promise<AppDatabase> {
  const database = name();
  const admin = await mysql.createConnection({ uri: TEST_MYSQL, multipleStatements: false });
  admin.on('error', () => {});
  await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${database}`);
  await admin.query(`CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) NOT NULL, display_name VARCHAR(100),
    lang VARCHAR(10), banned TINYINT(1) NOT NULL DEFAULT 0, password_hash VARCHAR(255) NOT NULL) ENGINE=InnoDB`);
  await admin.query(`CREATE TABLE sessions (token VARCHAR(64) PRIMARY KEY, user_id INT NOT NULL) ENGINE=InnoDB`);
  const url = new URL(TEST_MYSQL);
  url.pathname = `/${database}`;
  const query = async <T>(sql: string, ...params: unknown[]) => (await admin.query(sql, params))[0] as T[];
  const killDirectoryConnections = async () => {
    const rows = await query<{ ID: number }>('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', database);
    for (const row of rows) await admin.query(`KILL ${Number(row.ID)}`).catch(() => {});
    return rows.length;
  };
  return {
    engine: 'mysql',
    url: url.toString(),
    findSql: 'SELECT id, email, display_name AS name, lang AS locale, banned AS disabled FROM `users` WHERE LOWER(email) = :identifier',
    slowFindSql: 'SELECT id, email FROM users WHERE LOWER(email) = :identifier AND SLEEP(5) = 0',
    query,
    async seed() {
      await admin.query('DELETE FROM sessions');
      await admin.query('DELETE FROM users');
      for (const [id, email, displayName, lang, disabled] of USERS) {
        await admin.query('INSERT INTO users (id, email, display_name, lang, banned, password_hash) VALUES (?, ?, ?, ?, ?, ?)', [id, email, displayName, lang, disabled ? 1 : 0, OLD_HASH]);
      }
      for (const [token, userId] of SESSIONS) await admin.query('INSERT INTO sessions (token, user_id) VALUES (?, ?)', [token, userId]);
    },
    async lockUser(id) {
      // From another database, so that ending the directory's connections spares this one.
      const connection = await mysql.createConnection({ uri: TEST_MYSQL });
      connection.on('error', () => {});
      await connection.query('START TRANSACTION');
      await connection.query(`SELECT 1 FROM ${database}.users WHERE id = ? FOR UPDATE`, [id]);
      return {
        async release() {
          await connection.query('ROLLBACK');
          await connection.end();
        },
      };
    },
    killDirectoryConnections,
    async lockWaits() {
      const [row] = await query<{ n: number }>(
        `SELECT count(*) AS n FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
          WHERE t.trx_state = 'LOCK WAIT' AND p.DB = ?`,
        database,
      );
      return Number(row!.n);
    },
    async drop() {
      // Statements the directory gave up on may still run on the server; they hold the tables.
      await killDirectoryConnections();
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    },
  };
}

export async function sqliteApp(): Promise<AppDatabase> {
  const dir = tempDir('dir');
  const path = dir.file('app.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, display_name TEXT, lang TEXT,
    disabled INTEGER NOT NULL DEFAULT 0, password_hash TEXT NOT NULL);
    CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id INTEGER NOT NULL);`);
  return {
    engine: 'sqlite',
    url: `sqlite:${path}`,
    findSql: 'SELECT id, email, display_name AS name, lang AS locale, disabled FROM [users] WHERE lower(email) = :identifier;',
    slowFindSql: null,
    async query<T>(sql: string, ...params: unknown[]) {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    },
    async seed() {
      db.exec('DELETE FROM sessions; DELETE FROM users;');
      const insert = db.prepare('INSERT INTO users (id, email, display_name, lang, disabled, password_hash) VALUES (?, ?, ?, ?, ?, ?)');
      for (const [id, email, displayName, lang, disabled] of USERS) insert.run(Number(id), email, displayName, lang, disabled ? 1 : 0, OLD_HASH);
      for (const [token, userId] of SESSIONS) db.prepare('INSERT INTO sessions (token, user_id) VALUES (?, ?)').run(token, Number(userId));
    },
    async lockUser() {
      // SQLite locks the whole database: another connection's write transaction.
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE');
      return {
        async release() {
          other.exec('ROLLBACK');
          other.close();
        },
      };
    },
    async killDirectoryConnections() {
      return 0;
    },
    async lockWaits() {
      return 0;
    },
    async drop() {
      db.close();
      dir.remove();
    },
  };
}
