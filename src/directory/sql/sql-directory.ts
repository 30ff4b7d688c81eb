import type { Directory, SetPasswordResult } from '../../core/directory.ts';
import { accountFromRow } from './account-row.ts';
import { checkDirectoryUrl, engineOf, openConnections } from './connections.ts';
import { checkHashSettings, type HashFormat, hashPassword, LONGEST_PASSWORD } from './password-formats.ts';
import { compileStatement } from './statements.ts';

export interface SqlDirectoryOptions {
  /** postgres://…, mysql://… (MariaDB or MySQL) or sqlite:<path>. */
  url: string;
  /** DIRECTORY_FIND_SQL: uses :identifier; returns the columns id, email, and optionally name, locale, disabled. */
  findSql: string;
  /** DIRECTORY_SET_PASSWORD_SQL: uses :id and :password_hash. */
  setPasswordSql: string;
  /** DIRECTORY_AFTER_SET_SQL: uses :id; runs in the same transaction as the new password (ending sessions, say). */
  afterSetSql: string | null;
  /** DIRECTORY_HASH. */
  hash: HashFormat;
  /** DIRECTORY_HASH_COST; null takes the format's default. */
  hashCost: number | null;
  /** The time limit on connecting and on each statement. */
  timeoutMs: number;
}

/** Problems with the settings, each naming its setting, for the start-up check. Empty when fine. */
export function checkSqlDirectorySettings(options: SqlDirectoryOptions): string[] {
  // With a bad URL the statements are still checked, by PostgreSQL's rules.
  const engine = engineOf(options.url) ?? 'postgres';
  const problems = [...checkDirectoryUrl(options.url)];
  problems.push(...compileStatement('DIRECTORY_FIND_SQL', options.findSql, engine).problems);
  problems.push(...compileStatement('DIRECTORY_SET_PASSWORD_SQL', options.setPasswordSql, engine).problems);
  if (hasAfterSet(options)) problems.push(...compileStatement('DIRECTORY_AFTER_SET_SQL', options.afterSetSql!, engine).problems);
  problems.push(...checkHashSettings(options.hash, options.hashCost));
  if (!(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    problems.push(`DIRECTORY_TIMEOUT_MS: must be a positive number of milliseconds (got ${options.timeoutMs})`);
  }
  return problems;
}

/**
 * Accounts in the application's own database, read and written with the operator's
 * statements. Nothing connects until the first call: resetd starts while the database is
 * down, and /readyz says so.
 */
export async function openSqlDirectory(options: SqlDirectoryOptions): Promise<Directory> {
  const problems = checkSqlDirectorySettings(options);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const engine = engineOf(options.url)!;
  const find = compileStatement('DIRECTORY_FIND_SQL', options.findSql, engine).statement;
  const set = compileStatement('DIRECTORY_SET_PASSWORD_SQL', options.setPasswordSql, engine).statement;
  const afterSet = hasAfterSet(options) ? compileStatement('DIRECTORY_AFTER_SET_SQL', options.afterSetSql!, engine).statement : null;
  const db = openConnections(options.url, options.timeoutMs);

  return {
    name: 'sql',
    async find(identifier) {
      const rows = await db.rows(find, { identifier });
      if (rows.length === 0) return { kind: 'none' };
      if (rows.length > 1) return { kind: 'ambiguous', matches: rows.length };
      return { kind: 'found', account: accountFromRow(rows[0]) };
    },
    async setPassword(account, password): Promise<SetPasswordResult> {
      const longest = LONGEST_PASSWORD[options.hash];
      if (longest !== undefined && [...password].length > longest) {
        return { kind: 'refused', reasons: [`Use at most ${longest} characters: the application accepts no longer password.`] };
      }
      try {
        // Hashed before the transaction opens, so no row stays locked while it runs.
        const passwordHash = await hashPassword(options.hash, password, options.hashCost);
        const values = { id: account.id, password_hash: passwordHash };
        return await db.transaction(async (run): Promise<{ commit: boolean; result: SetPasswordResult }> => {
          const changed = await step('DIRECTORY_SET_PASSWORD_SQL', () => run(set, values));
          if (changed === 0) return { commit: false, result: { kind: 'refused', reasons: ['This account no longer exists.'] } };
          if (changed > 1) {
            return { commit: false, result: { kind: 'unavailable', error: `DIRECTORY_SET_PASSWORD_SQL matched ${changed} rows; nothing was changed` } };
          }
          if (afterSet) await step('DIRECTORY_AFTER_SET_SQL', () => run(afterSet, values));
          return { commit: true, result: { kind: 'done' } };
        });
      } catch (error) {
        return { kind: 'unavailable', error: describe(error) };
      }
    },
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

function hasAfterSet(options: SqlDirectoryOptions): boolean {
  return options.afterSetSql !== null && options.afterSetSql.trim() !== '';
}

/** Names the statement that failed, for the operator reading the log. */
async function step<T>(setting: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new Error(`${setting}: ${describe(error)}`, { cause: error });
  }
}

// Connecting to a name with several addresses fails with an AggregateError and no message.
function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(describe).join('; ');
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
