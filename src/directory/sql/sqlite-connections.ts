import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
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
  const whenNotBusy = async <T>(action: () => T): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        return action();
      } catch (error) {
        if (!isBusy(error) || Date.now() + pause > deadline) throw error;
        await sleep(pause);
      }
    }
  };
  // One transaction at a time on the one connection.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const turn = queue.then(task, task);
    queue = turn.catch(() => {});
    return turn;
  };

  return {
    rows: (statement, values) =>
      whenNotBusy(() => {
        // Integers as bigint: an id beyond 2^53 keeps every digit.
        const prepared = prepare(statement).safeIntegers(true);
        return prepared.all(...bindParameters(statement, values)) as unknown[];
      }),
    transaction: (work) =>
      oneAtATime(async () => {
        const database = open();
        // IMMEDIATE takes the write lock now, so no statement inside meets a busy database.
        await whenNotBusy(() => database.exec('BEGIN IMMEDIATE'));
        try {
          const { commit, result } = await work(async (statement, values) => {
            return prepare(statement).run(...bindParameters(statement, values)).changes;
          });
          if (commit) await whenNotBusy(() => database.exec('COMMIT'));
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
      await whenNotBusy(() => open().prepare('SELECT count(*) FROM sqlite_master').get());
    },
    async close() {
      await queue;
      db?.close();
      db = null;
    },
  };
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
