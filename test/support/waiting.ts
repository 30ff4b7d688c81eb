import type { OutboxStats } from '../../src/core/outbox.ts';
import { outboxStats } from '../../src/core/outbox.ts';
import type { Resetd } from '../../src/main.ts';
import type { TestDatabase } from './test-store.ts';

/** Polls every `intervalMs` until `condition` holds; throws after `timeoutMs`. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The outbox's numbers, as the metrics show them, now. */
export function outboxStatsOf(resetd: Pick<Resetd, 'store'>): Promise<OutboxStats> {
  return outboxStats({ store: resetd.store, clock: { now: () => new Date() } });
}

/** Until the worker has nothing left to do: nothing pending, nothing being sent. */
export async function outboxSettled(resetd: Pick<Resetd, 'store'>, timeoutMs = 10_000): Promise<void> {
  await until(async () => (await outboxStatsOf(resetd)).queueDepth === 0, timeoutMs);
}

/**
 * The same for resetd processes, read from their database: no outbox row pending or being
 * sent. A row a killed process left `sending` counts until another takes it over when its
 * lease runs out and sends it; after that nothing more can go out.
 */
export async function outboxSettledIn(database: Pick<TestDatabase, 'query'>, timeoutMs = 60_000): Promise<void> {
  await until(
    async () => {
      const [row] = await database.query<{ n: number | string }>(`SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending')`);
      return Number(row!.n) === 0;
    },
    timeoutMs,
    100,
  );
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
