/**
 * Group commit: the items that arrive within one turn of the event loop are written
 * together, and each caller is answered only once that write has committed (or with its
 * error). On the request path this turns many small commits into one. A write that returns
 * one result per item (in the items' order) answers each caller with its own.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a write without results returns nothing, or a promise of nothing
export function groupCommit<T, R = void>(write: (items: T[]) => R[] | void | Promise<R[] | void>): (item: T) => Promise<R> {
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
      if (batch.length === 0) setImmediate(() => void flush());
      batch.push({ item, resolve, reject });
    });
}
