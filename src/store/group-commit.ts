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
      if (batch.length === 0) atTurnEnd(flush);
      batch.push({ item, resolve, reject });
    });
}

/**
 * The groups with items waiting, written at the end of the turn in up to three passes. A
 * request's writes follow one another: its per-IP count, its per-key count (the dialects with
 * API keys), then, once the counts have answered, its outbox row. Each pass writes what the
 * answers of the one before led to, in the same turn: one turn a request instead of one a
 * write, and each commit gathers the whole turn's requests instead of a part of them.
 */
const PASSES = 3;
const waiting = new Set<() => Promise<void>>();
let passesAhead = 0;

function atTurnEnd(flush: () => Promise<void>): void {
  waiting.add(flush);
  if (passesAhead > 0) return;
  // All queued now: an immediate queued while the check phase runs would wait a whole turn.
  // Between two passes, the answers of the first run to their next write (microtasks only).
  passesAhead = PASSES;
  for (let i = 0; i < PASSES; i++) setImmediate(pass);
}

function pass(): void {
  passesAhead--;
  if (waiting.size === 0) return;
  const flushes = [...waiting];
  waiting.clear();
  for (const flush of flushes) void flush();
}
