import { expect, it } from 'vitest';
import type { DeliverOutcome } from '../../src/core/deliver-outbox.ts';
import type { OutboxItem } from '../../src/core/outbox-item.ts';
import { startOutboxWorker } from '../../src/worker/outbox-worker.ts';
import { memoryStore, movableClock, until } from './harness.ts';

/**
 * MAIL_BATCH_SIZE is a window of deliveries in flight, not a batch that waits for its
 * slowest mail: one slow SMTP exchange must not hold back the backlog behind it.
 */
async function queued(count: number) {
  const store = memoryStore();
  const clock = movableClock();
  for (let i = 0; i < count; i++) {
    await store.addResetRequest({ id: `rr_${String(i).padStart(3, '0')}`, kind: 'reset', origin: 'rocketchat', identifier: `user${i}@example.com`, clientIp: null, createdAt: clock.now(), payload: null });
  }
  return { store, clock };
}

it('keeps delivering the backlog while one delivery hangs, up to the window less the one in flight', async () => {
  const { store, clock } = await queued(12);
  const delivered: string[] = [];
  let release!: () => void;
  const hanging = new Promise<void>((resolve) => (release = resolve));
  const worker = startOutboxWorker({
    store,
    clock,
    batchSize: 4,
    leaseMs: 60_000,
    pollMs: 3_600_000,
    retentionDays: 30,
    deliver: async (item: OutboxItem): Promise<DeliverOutcome> => {
      if (item.id === 'rr_000') await hanging;
      await store.finishOutboxItem(item, 'sent', clock.now());
      delivered.push(item.id);
      return { kind: 'sent' };
    },
  });
  try {
    // A batch that waited for its slowest would stop at rr_001..rr_003 until rr_000 is done.
    await until(() => delivered.length === 11);
    expect(delivered).not.toContain('rr_000');
    expect((await store.outboxCounts(clock.now())).byState).toMatchObject({ sending: 1, sent: 11, pending: 0 });
    release();
    await until(() => delivered.length === 12);
  } finally {
    release();
    await worker.stop();
  }
});

it('never has more deliveries in flight than the window', async () => {
  const { store, clock } = await queued(30);
  let inFlight = 0;
  let most = 0;
  let done = 0;
  const worker = startOutboxWorker({
    store,
    clock,
    batchSize: 5,
    leaseMs: 60_000,
    pollMs: 3_600_000,
    retentionDays: 30,
    deliver: async (item: OutboxItem): Promise<DeliverOutcome> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1 + (Number(item.id.slice(3)) % 3)));
      await store.finishOutboxItem(item, 'sent', clock.now());
      inFlight--;
      done++;
      return { kind: 'sent' };
    },
  });
  try {
    await until(() => done === 30);
    expect(most).toBe(5);
  } finally {
    await worker.stop();
  }
});

it('stop waits for the deliveries in flight, and claims nothing more', async () => {
  const { store, clock } = await queued(10);
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  const started: string[] = [];
  const worker = startOutboxWorker({
    store,
    clock,
    batchSize: 2,
    leaseMs: 60_000,
    pollMs: 3_600_000,
    retentionDays: 30,
    deliver: async (item: OutboxItem): Promise<DeliverOutcome> => {
      started.push(item.id);
      await slow;
      await store.finishOutboxItem(item, 'sent', clock.now());
      return { kind: 'sent' };
    },
  });
  await until(() => started.length === 2);
  let stopped = false;
  const stopping = worker.stop().then(() => (stopped = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(stopped).toBe(false);
  release();
  await stopping;
  expect(started).toHaveLength(2);
  expect((await store.outboxCounts(clock.now())).byState).toMatchObject({ sent: 2, pending: 8, sending: 0 });
});
