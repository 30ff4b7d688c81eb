import { describe, expect, it } from 'vitest';
import { at, resetItem } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** OutboxStore.outboxGauges: what /metrics reports of the queue at each scrape. */
const LEASE = 60_000;

describe.each(STORE_KINDS)('the outbox gauges on %s', (kind) => {
  const subject = useStore(kind);

  it('an empty outbox has nothing waiting and nothing due', async () => {
    expect(await subject.store.outboxGauges(at(0))).toEqual({ byState: { pending: 0, sending: 0, dead: 0 }, oldestDueAt: null });
  });

  it('counts pending, sending and dead items, and leaves finished ones out', async () => {
    for (let i = 0; i < 5; i++) await subject.store.addResetRequest(resetItem(at(i)));
    // Three claimed: one sent, one dead, one still sending.
    const [sent, dead] = await subject.store.claimOutbox(at(10), at(10 + LEASE), 3);
    await subject.store.finishOutboxItem(sent!, 'sent', at(11));
    await subject.store.failOutboxItem(dead!, 'refused for good', null);
    const gauges = await subject.store.outboxGauges(at(12));
    expect(gauges.byState).toEqual({ pending: 2, sending: 1, dead: 1 });
  });

  it('the oldest due item is the earliest pending one already due; one due later is not waiting yet', async () => {
    await subject.store.addResetRequest(resetItem(at(5_000)));
    await subject.store.addResetRequest(resetItem(at(1_000)));
    await subject.store.addResetRequest(resetItem(at(9_000)));
    expect((await subject.store.outboxGauges(at(500))).oldestDueAt).toBeNull();
    expect((await subject.store.outboxGauges(at(6_000))).oldestDueAt).toEqual(at(1_000));
  });

  it('a retry counts from when it is due again, not from when it was first accepted', async () => {
    await subject.store.addResetRequest(resetItem(at(0)));
    const [item] = await subject.store.claimOutbox(at(0), at(LEASE), 1);
    await subject.store.failOutboxItem(item!, 'try again', at(30_000));
    expect((await subject.store.outboxGauges(at(20_000))).oldestDueAt).toBeNull();
    expect((await subject.store.outboxGauges(at(40_000))).oldestDueAt).toEqual(at(30_000));
  });

  it('a claim whose lease ran out (its worker died) is due from the end of the lease', async () => {
    await subject.store.addResetRequest(resetItem(at(0)));
    await subject.store.claimOutbox(at(0), at(LEASE), 1);
    expect((await subject.store.outboxGauges(at(LEASE - 1))).oldestDueAt).toBeNull();
    expect((await subject.store.outboxGauges(at(LEASE + 5))).oldestDueAt).toEqual(at(LEASE));
  });
});
