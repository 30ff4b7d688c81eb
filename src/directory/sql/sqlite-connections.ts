import Database from 'better-sqlite3';
import { whenNotBusy } from '../../store/sqlite/when-not-busy.ts';
import type { Connections } from './connections.ts';
import { bindParameters, type CompiledStatement } from './named-parameters.ts';

/**
 * The application's SQLite file. better-sqlite3 is synchronous, so SQLite's own busy
 * wait would stall resetd's event loop while the application holds a lock: it is off,
 * and a busy database is retried here with timers until the time limit.
 */
export function sqliteConnections(path: string, timeoutMs: number): Connections {
  let db: Database.Database | null = null;
  const statements = new Map<string, Database.Statement>();
  // Opened on first use, so resetd starts while the file is missing; never created, so a
  // wrong path fails instead of answering "no such account" from an empty database.
  const open = () => {
    if (db === null) {
      db = new Database(path, { fileMustExist: true, timeout: 0 });
      statements.clear();
    }
    return db;
  };
  const prepare = (statement: CompiledStatement) => {
    let prepared = statements.get(statement.text);
    if (!prepared) {
      prepared = open().prepare(statement.text);
      statements.set(statement.text, prepared);
    }
    return prepared;
  };
  const retried = <T>(action: () => T) => whenNotBusy(action, timeoutMs, 2);
  // One transaction at a time on the one connection.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const turn = queue.then(task, task);
    queue = turn.catch(() => {});
    return turn;
  };

  return {
    rows: (statement, values) =>
      retried(() => {
        // Integers as bigint: an id beyond 2^53 keeps every digit.
        const prepared = prepare(statement).safeIntegers(true);
        return prepared.all(...bindParameters(statement, values)) as unknown[];
      }),
    transaction: (work) =>
      oneAtATime(async () => {
        const database = open();
        // IMMEDIATE takes the write lock now, so no statement inside meets a busy database.
        await retried(() => database.exec('BEGIN IMMEDIATE'));
        try {
          const { commit, result } = await work(async (statement, values) => {
            return prepare(statement).run(...bindParameters(statement, values)).changes;
          });
          if (commit) await retried(() => database.exec('COMMIT'));
          else database.exec('ROLLBACK');
          return result;
        } catch (error) {
          try {
            if (database.inTransaction) database.exec('ROLLBACK');
          } catch {
            // A handle that cannot roll back is closed, which rolls back; the next call reopens.
            database.close();
            db = null;
          }
          throw error;
        }
      }),
    async ping() {
      await retried(() => open().prepare('SELECT count(*) FROM sqlite_master').get());
    },
    async close() {
      await queue;
      db?.close();
      db = null;
    },
  };
}
