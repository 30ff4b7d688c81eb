/**
 * Group commit: the items that arrive within one turn of the event loop are written
 * together, and each caller is answered only once that write has committed (or with its
 * error). On the request path this turns many small commits into one.
 */
export function groupCommit<T>(write: (items: T[]) => void | Promise<void>): (item: T) => Promise<void> {
  let batch: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const flush = async () => {
    const pending = batch;
    batch = [];
    try {
      await write(pending.map((entry) => entry.item));
      for (const entry of pending) entry.resolve();
    } catch (error) {
      for (const entry of pending) entry.reject(error);
    }
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      if (batch.length === 0) setImmediate(() => void flush());
      batch.push({ item, resolve, reject });
    });
}
