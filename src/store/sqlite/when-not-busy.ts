import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** SQLite's answer when another connection holds the lock (SQLITE_BUSY and its extended codes). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `action` on a connection whose busy_timeout is 0, again while SQLite answers
 * SQLITE_BUSY, until `timeoutMs` has passed (then that error is thrown). better-sqlite3 is
 * synchronous: SQLite's own busy wait would sleep the whole thread, 1 ms and more at each
 * try, while another connection (resetd's worker, the CLI, the application) holds the write
 * lock. Here the wait is a later turn of the event loop, which serves meanwhile. The first
 * retries come at the next turns (`firstPauseMs` 0: another connection's write
 * transaction usually lasts well under a millisecond), then after pauses doubling to 50 ms.
 * A write transaction should begin IMMEDIATE, so that only its BEGIN can meet a busy lock.
 */
export async function whenNotBusy<T>(action: () => T, timeoutMs: number, firstPauseMs = 0): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let turns = firstPauseMs === 0 ? NEXT_TURNS : 0;
  for (let pause = Math.max(firstPauseMs, 1); ; ) {
    try {
      return action();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (turns > 0) {
        turns--;
        await nextTurn();
        continue;
      }
      if (Date.now() + pause > deadline) throw error;
      await sleep(pause);
      pause = Math.min(pause * 2, 50);
    }
  }
}

/** Retries at the next turns of the event loop before the first timed pause. */
const NEXT_TURNS = 3;
