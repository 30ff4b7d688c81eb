import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { Clock } from '../core/ports.ts';
import type { OutboxGauges, OutboxStore } from '../core/store.ts';
import type { Boxed } from '../health/time-box.ts';
import { timeBox } from '../health/time-box.ts';

/** How long a scrape waits for the store before it reports resetd_store_up 0. */
export const SCRAPE_STORE_TIMEOUT_MS = 2_000;

/**
 * Reads the outbox gauges from the store at scrape time (a collect callback), not on a
 * timer: an instance nobody scrapes asks nothing. A store that fails or hangs never fails
 * the scrape: resetd_store_up says 0, and the outbox gauges are left out rather than
 * showing numbers from an earlier scrape.
 */
export function watchOutbox(
  registry: Registry,
  deps: { store: Pick<OutboxStore, 'outboxGauges'>; clock: Clock },
  timeoutMs = SCRAPE_STORE_TIMEOUT_MS,
): void {
  // prom-client collects every metric of a scrape at once: they share one read of the store.
  let reading: Promise<Boxed<{ gauges: OutboxGauges; now: Date }>> | undefined;
  const read = () => {
    reading ??= timeBox('the store', timeoutMs, async () => {
      const now = deps.clock.now();
      return { gauges: await deps.store.outboxGauges(now), now };
    }).finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const registers = [registry];

  new Gauge({
    name: 'resetd_store_up',
    help: '1 when the store answered this scrape within 2 s, else 0 (and the outbox gauges are left out).',
    registers,
    async collect() {
      this.set((await read()).ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'resetd_outbox_items',
    help: 'Outbox items waiting (pending), being sent (sending) and given up on (dead); finished ones are counted by resetd_outbox_deliveries_total.',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      const outbox = await read();
      if (!outbox.ok) return;
      for (const [state, count] of Object.entries(outbox.value.gauges.byState)) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'resetd_outbox_oldest_due_age_seconds',
    help: 'How long the outbox item that has waited longest for a worker has been due; 0 when nothing is due.',
    registers,
    async collect() {
      const outbox = await read();
      if (!outbox.ok) {
        // A gauge without labels keeps a sample after reset(); remove() leaves it out.
        this.remove();
        return;
      }
      const { gauges, now } = outbox.value;
      this.set(gauges.oldestDueAt === null ? 0 : Math.max(0, (now.getTime() - gauges.oldestDueAt.getTime()) / 1000));
    },
  });
}
