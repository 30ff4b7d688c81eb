import { expect, it } from 'vitest';
import type { DeliverOutcome } from '../../src/core/deliver-outbox.ts';
import type { OutboxItem } from '../../src/core/outbox-item.ts';
import { startOutboxWorker } from '../../src/worker/outbox-worker.ts';
import { memoryStore, movableClock, until } from './harness.ts';

/**
 * A wake (a reset request was committed) makes the worker look at the outbox at once after
 * a quiet spell, but a stream of wakes makes one look per gap, not one per wake: each look
 * is a claim that takes SQLite's write lock, which the request path needs too.
 */
function watchedWorker(wakeGapMs: number) {
  const store = memoryStore();
  const clock = movableClock();
  let looks = 0;
  const claimOutbox = store.claimOutbox.bind(store);
  store.claimOutbox = (...args) => {
    looks++;
    return claimOutbox(...args);
  };
  const delivered: string[] = [];
  const worker = startOutboxWorker({
    store,
    clock,
    batchSize: 50,
    leaseMs: 60_000,
    pollMs: 3_600_000,
    retentionDays: 30,
    wakeGapMs,
    deliver: async (item: OutboxItem): Promise<DeliverOutcome> => {
      await store.finishOutboxItem(item, 'sent', clock.now());
      delivered.push(item.identifier);
      return { kind: 'sent' };
    },
  });
  let sequence = 0;
  const request = async () => {
    await store.addResetRequest({ id: `rr_${String(sequence).padStart(4, '0')}`, kind: 'reset', origin: 'rocketchat', identifier: `user${sequence++}@example.com`, clientIp: null, createdAt: clock.now(), payload: null });
    worker.wake();
  };
  return { worker, request, delivered, looks: () => looks };
}

it('looks once per gap while wakes keep coming, and delivers every request', async () => {
  const { worker, request, delivered, looks } = watchedWorker(100);
  try {
    await until(() => looks() === 1); // the look at start
    // 40 requests, one every 5 ms: some 200 ms of wakes.
    for (let i = 0; i < 40; i++) {
      await request();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(() => delivered.length === 40);
    // One look per 100 ms gap (2 or 3, and one more at the end), against one per wake (40).
    expect(looks()).toBeGreaterThanOrEqual(2);
    expect(looks()).toBeLessThanOrEqual(6);
  } finally {
    await worker.stop();
  }
});

it('looks at once when woken after a quiet spell', async () => {
  const { worker, request, delivered, looks } = watchedWorker(50);
  try {
    await until(() => looks() === 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await request();
    // Well before the hour-long poll: the wake, past the gap, starts a look at the next turn.
    await until(() => delivered.length === 1, 1_000);
    expect(looks()).toBe(2);
  } finally {
    await worker.stop();
  }
});
