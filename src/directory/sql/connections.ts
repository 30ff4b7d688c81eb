import type { CompiledStatement, SqlEngine } from './named-parameters.ts';
import { mysqlConnections } from './mysql-connections.ts';
import { postgresConnections } from './postgres-connections.ts';
import { sqliteConnections } from './sqlite-connections.ts';

export type Values = Readonly<Record<string, string>>;
/** Runs one statement inside the transaction; answers how many rows it changed. */
export type Run = (statement: CompiledStatement, values: Values) => Promise<number>;

/**
 * The application's database, the same for each engine. Every call is bounded by the
 * time limit, and a connection that failed or timed out is thrown away, never reused.
 */
export interface Connections {
  rows(statement: CompiledStatement, values: Values): Promise<unknown[]>;
  /** Commits when `work` answers `commit: true`, rolls back otherwise; an error rolls back and is thrown. */
  transaction<T>(work: (run: Run) => Promise<{ commit: boolean; result: T }>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SQLITE = 'sqlite:';

export function engineOf(url: string): SqlEngine | null {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(url)) return 'mysql';
  if (url.startsWith(SQLITE)) return 'sqlite';
  return null;
}

/** Problems with DIRECTORY_URL. */
export function checkDirectoryUrl(url: string): string[] {
  const engine = engineOf(url);
  if (url.trim() === '') return ['DIRECTORY_URL: is required (postgres://…, mysql://… or sqlite:<path>)'];
  if (engine === null) return [`DIRECTORY_URL: must start with postgres://, mysql:// or sqlite: (got ${JSON.stringify(url.split(':')[0])})`];
  if (engine === 'sqlite') {
    const path = url.slice(SQLITE.length);
    if (path === '' || path === ':memory:') return ['DIRECTORY_URL: sqlite: needs the path of the application\'s database file'];
    if (path.startsWith('//')) return ['DIRECTORY_URL: write sqlite:<path>, e.g. sqlite:/var/lib/app/app.db or sqlite:./app.db'];
    return [];
  }
  try {
    new URL(url);
    return [];
  } catch {
    return ['DIRECTORY_URL: is not a valid URL'];
  }
}

export function openConnections(url: string, timeoutMs: number): Connections {
  const engine = engineOf(url);
  if (engine === 'postgres') return postgresConnections(url, timeoutMs);
  if (engine === 'mysql') return mysqlConnections(url.replace(/^mariadb:/i, 'mysql:'), timeoutMs);
  if (engine === 'sqlite') return sqliteConnections(url.slice(SQLITE.length), timeoutMs);
  throw new Error(checkDirectoryUrl(url).join('; '));
}
