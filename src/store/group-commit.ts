/** How a group gathers past one turn: until no item came for `quietMs`, at most `maxMs` after its first. */
export interface Gathering {
  quietMs: number;
  maxMs: number;
}

/**
 * Group commit: the items that arrive within one turn of the event loop are written
 * together, and each caller is answered only once that write has committed (or with its
 * error). On the request path this turns many small commits into one. A write that returns
 * one result per item (in the items' order) answers each caller with its own. With a
 * `gathering`, a group waits for more while items keep coming: for writes no one answers
 * a client on, whose items come one per turn.
 */
export function groupCommit<T, R = void>(
  // biome-ignore lint/suspicious/noConfusingVoidType: a write without results returns nothing, or a promise of nothing
  write: (items: T[]) => R[] | void | Promise<R[] | void>,
  gathering?: Gathering,
): (item: T) => Promise<R> {
  let batch: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let firstAt = 0;
  let lastAt = 0;
  const flush = async () => {
    const pending = batch;
    batch = [];
    try {
      const results = await write(pending.map((entry) => entry.item));
      for (let i = 0; i < pending.length; i++) pending[i]!.resolve(results?.[i] as R);
    } catch (error) {
      for (const entry of pending) entry.reject(error);
    }
  };
  const gathered = () => {
    const now = performance.now();
    const wait = Math.min(gathering!.quietMs - (now - lastAt), gathering!.maxMs - (now - firstAt));
    if (wait <= 0) void flush();
    else setTimeout(gathered, wait);
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (gathering) {
        lastAt = performance.now();
        if (batch.length === 0) {
          firstAt = lastAt;
          setTimeout(gathered, gathering.quietMs);
        }
      } else if (batch.length === 0) setImmediate(() => void flush());
      batch.push({ item, resolve, reject });
    });
}

/**
 * How the worker's recorded outcomes gather. They come one at a time as the SMTP server
 * answers, so grouped by turn they committed two or three at a time, the most frequent of
 * the worker's commits; a burst (lookups that found no account) comes at once and goes
 * after a quiet millisecond. Nothing waits on them but the delivery's slot in the worker's
 * window (MAIL_BATCH_SIZE, well over the SMTP pool's connections).
 */
export const OUTCOMES_GATHERING: Gathering = { quietMs: 1, maxMs: 5 };
