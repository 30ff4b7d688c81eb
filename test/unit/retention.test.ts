import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import type { DeliverOutcome } from '../../src/core/deliver-outbox.ts';
import { retentionCutoff } from '../../src/core/outbox-retention.ts';
import type { OutboxItem } from '../../src/core/outbox-item.ts';
import { startOutboxWorker } from '../../src/worker/outbox-worker.ts';
import { until } from '../support/waiting.ts';
import { movableClock, memoryStore, queueAndClaim } from './harness.ts';

/** RETENTION_DAYS: what resetd keeps is deleted by the worker once it is older than that. */
const DAY = 86_400_000;

describe('RETENTION_DAYS, the setting', () => {
  it('is 30 days unless set', () => {
    expect(loadConfig({}).retentionDays).toBe(30);
    expect(loadConfig({ RETENTION_DAYS: '7' }).retentionDays).toBe(7);
  });

  it.each(['0', '-1', '1.5', 'forever', '100000'])('RETENTION_DAYS=%s stops resetd with a message naming it', (value) => {
    expect(() => loadConfig({ RETENTION_DAYS: value })).toThrow(ConfigError);
    try {
      loadConfig({ RETENTION_DAYS: value });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([`RETENTION_DAYS: must be a whole number from 1 to 3650 (got "${value}")`]);
    }
  });
});

describe('what is old', () => {
  it('is what came before RETENTION_DAYS whole days ago, by the injected clock', () => {
    const now = new Date('2031-03-31T12:00:00.000Z');
    expect(retentionCutoff(now, 30)).toEqual(new Date('2031-03-01T12:00:00.000Z'));
    expect(retentionCutoff(now, 1)).toEqual(new Date('2031-03-30T12:00:00.000Z'));
  });
});

describe('the worker', () => {
  it('deletes finished outbox items older than RETENTION_DAYS, a bounded batch per turn until none is left, and still delivers', async () => {
    const store = memoryStore();
    const clock = movableClock(new Date('2031-01-01T00:00:00.000Z'));
    // Eleven finished items from 40 days before the worker's "now", one from 10 days before.
    for (let i = 0; i < 11; i++) {
      const item = await queueAndClaim(store, clock);
      await store.finishOutboxItem(item, 'no_account', clock.now());
    }
    clock.advance(30 * DAY);
    const recent = await queueAndClaim(store, clock);
    await store.finishOutboxItem(recent, 'sent', clock.now());
    clock.advance(10 * DAY);
    const waiting = (await queueAndClaim(store, clock)).id;
    clock.advance(60_000); // its lease ran out: due again, the worker delivers it

    const delivered: string[] = [];
    const worker = startOutboxWorker({
      store,
      clock,
      deliver: async (item: OutboxItem): Promise<DeliverOutcome> => {
        delivered.push(item.id);
        await store.finishOutboxItem(item, 'sent', clock.now());
        return { kind: 'sent' };
      },
      batchSize: 10,
      leaseMs: 60_000,
      // Neither a poll nor the next scheduled pass comes during the test: only "a full
      // batch means more right away" can take the worker through all eleven.
      pollMs: 3_600_000,
      retentionDays: 30,
      retentionBatchSize: 4,
      retentionEveryMs: 3_600_000,
    });
    try {
      const counts = async () => (await store.outboxCounts(clock.now())).byState;
      await until(async () => (await counts()).no_account === 0 && delivered.length === 1, 5_000);
      expect(delivered).toEqual([waiting]);
      expect(await counts()).toMatchObject({ no_account: 0, sent: 2, pending: 0, sending: 0 });
    } finally {
      await worker.stop();
    }
  });
});
