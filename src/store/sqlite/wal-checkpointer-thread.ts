import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerData, FromCheckpointer } from './wal-checkpointer.ts';

// The WAL checkpointer's thread (wal-checkpointer.ts): a connection of its own that copies
// the WAL back into the database file at each interval. A PASSIVE checkpoint neither waits
// for the writers nor blocks them: it copies what no reader still needs, and the next
// commit starts the WAL over once all of it is copied. An error is reported and ends the
// thread (the serving connection then checkpoints by itself again): an error an uncaught
// throw would carry across loses its message on the way.
const port = parentPort!;
const post = (message: FromCheckpointer) => port.postMessage(message);
const { path, intervalMs } = workerData as CheckpointerData;
let timer: NodeJS.Timeout | undefined;
let db: Database.Database | undefined;
const end = () => {
  clearInterval(timer);
  db?.close();
  port.close();
};
const guarded = (work: () => void) => {
  try {
    work();
  } catch (error) {
    post({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
    end();
  }
};
guarded(() => {
  db = new Database(path, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  timer = setInterval(() => guarded(() => db!.pragma('wal_checkpoint(PASSIVE)')), intervalMs);
  port.once('message', end);
  post({ type: 'ready' });
});
