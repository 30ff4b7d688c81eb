import { outboxStats } from '../../src/core/outbox.ts';
import type { Resetd } from '../../src/main.ts';

/** Polls until `condition` holds; throws after `timeoutMs`. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Until the worker has nothing left to do: nothing pending, nothing being sent. */
export async function outboxSettled(resetd: Pick<Resetd, 'store'>, timeoutMs = 10_000): Promise<void> {
  const deps = { store: resetd.store, clock: { now: () => new Date() } };
  await until(async () => (await outboxStats(deps)).queueDepth === 0, timeoutMs);
}

/** Runs `work` over `items`, `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}
