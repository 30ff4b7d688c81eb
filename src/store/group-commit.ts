/**
 * Group commit: the items that arrive within one turn of the event loop are written
 * together, and each caller is answered only once that write has committed (or with its
 * error). On the request path this turns many small commits into one. A write that returns
 * one result per item (in the items' order) answers each caller with its own. With
 * `gatherMs`, the first item of a group waits that long for others instead of one turn:
 * for writes no one answers a client on, whose items come one per turn.
 */
export function groupCommit<T, R = void>(
  // biome-ignore lint/suspicious/noConfusingVoidType: a write without results returns nothing, or a promise of nothing
  write: (items: T[]) => R[] | void | Promise<R[] | void>,
  gatherMs = 0,
): (item: T) => Promise<R> {
  let batch: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
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
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (batch.length === 0) {
        if (gatherMs > 0) setTimeout(() => void flush(), gatherMs);
        else setImmediate(() => void flush());
      }
      batch.push({ item, resolve, reject });
    });
}

/**
 * How long the worker's first recorded outcome waits for others. Outcomes come one at a
 * time as the SMTP server answers, so grouped by turn they committed two or three at a time,
 * the most frequent of the worker's commits. Nothing waits on them but the delivery's slot
 * in the worker's window (MAIL_BATCH_SIZE, well over the SMTP pool's connections).
 */
export const OUTCOMES_GATHER_MS = 5;
