import type Database from 'better-sqlite3';
import { newThread, stopThread } from '../../threads.ts';

export interface CheckpointerData {
  path: string;
  intervalMs: number;
}

export type FromCheckpointer = { type: 'ready' } | { type: 'failed'; reason: string };

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/** SQLite's own threshold for a connection that checkpoints by itself, in WAL pages. */
const AUTOCHECKPOINT_PAGES = 1000;
/**
 * While the thread runs, the committing connection still checkpoints past this many pages
 * (40 MB of WAL, some two seconds of requests at full load). It must: under steady commits
 * the thread's checkpoints never catch up with the last commit, and only a checkpoint that
 * has copied all of the WAL, run by the writer between two commits, lets the next commit
 * start the WAL over. By then the thread has copied all but its last interval, so that
 * checkpoint is short, and it comes ten times less often than SQLite's own.
 */
const BACKSTOP_PAGES = 10_000;
/** How often the thread copies the WAL back into the database file. */
const INTERVAL_MS = 100;

/**
 * SQLite's checkpoints (the WAL copied back into the database file, with an fsync) in a
 * thread of their own. Left to the connection that commits, one runs inside whichever
 * commit crosses SQLite's threshold of 1,000 pages, and on resetd's request path blocks the
 * event loop for milliseconds, several times a second under load (measured with koa and
 * the outbox insert alone: p99 7-10 ms against 3-5, and 8-20% fewer requests a second). If
 * the thread fails, the committing connections checkpoint by themselves again, as before.
 */
export function startWalCheckpointer(connections: readonly Database.Database[], path: string, onFailure: (error: unknown) => void): WalCheckpointer {
  const autocheckpoint = (pages: number) => {
    for (const db of connections) db.pragma(`wal_autocheckpoint = ${pages}`);
  };
  const thread = newThread(import.meta.url, 'wal-checkpointer-thread', { path, intervalMs: INTERVAL_MS } satisfies CheckpointerData, {
    maxYoungGenerationSizeMb: 2,
  });
  // Never what keeps a process alive: stop() ends it, and so does the process's exit.
  thread.unref();
  let stopping = false;
  let running = true;
  thread.on('message', (message: FromCheckpointer) => {
    if (message.type === 'failed') fallBack(new Error(`the WAL checkpointer failed: ${message.reason}`));
    else if (!stopping && running) autocheckpoint(BACKSTOP_PAGES);
  });
  const fallBack = (error: unknown) => {
    if (!running) return;
    running = false;
    if (stopping) return;
    autocheckpoint(AUTOCHECKPOINT_PAGES);
    onFailure(error);
  };
  thread.on('error', fallBack);
  thread.on('exit', (code) => fallBack(new Error(`the WAL checkpointer thread exited with ${code}`)));
  return {
    async stop() {
      stopping = true;
      if (!running) return;
      await stopThread(thread, 'stop');
    },
  };
}
