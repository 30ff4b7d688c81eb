import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../src/core/outbox-item.ts';
import type { Store } from '../../src/core/store.ts';
import { at, resetItem } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** OutboxStore: the queue the request path writes and the workers claim, fenced by each claim. */
const LEASE = 60_000;

describe.each(STORE_KINDS)('the outbox on %s', (kind) => {
  const subject = useStore(kind);
  const claim = (now: number, limit = 10, store: Store = subject.store) => store.claimOutbox(at(now), at(now + LEASE), limit);
  const ids = (items: readonly Pick<OutboxItem, 'id'>[]) => items.map((item) => item.id).sort();

  it('an accepted request is committed: another instance on the same database claims it', async () => {
    const item = resetItem(at(0), { origin: 'maiascore', identifier: 'usr_42', clientIp: null });
    await subject.store.addResetRequest(item);
    const other = await subject.another();
    const [claimed] = await claim(1, 10, other);
    expect(claimed).toEqual({ ...item, state: 'sending', attempts: 1, operatorRetries: 0 });
  });

  it('requests of one turn are written together; a batch that fails writes none of it and answers every caller with the error', async () => {
    const good = Array.from({ length: 50 }, (_, i) => resetItem(at(i)));
    await Promise.all(good.map((item) => subject.store.addResetRequest(item)));
    expect((await subject.store.outboxCounts(at(0))).byState.pending).toBe(50);

    const fresh = resetItem(at(100));
    const duplicate = { ...resetItem(at(100)), id: good[0]!.id };
    const answers = await Promise.allSettled([subject.store.addResetRequest(fresh), subject.store.addResetRequest(duplicate)]);
    expect(answers.map((answer) => answer.status)).toEqual(['rejected', 'rejected']);
    expect((await subject.store.outboxCounts(at(0))).byState.pending).toBe(50);
  });

  it('claims due pending items, earliest due first and at most `limit`; an item not yet due waits', async () => {
    const [third, first, second, later] = [resetItem(at(3)), resetItem(at(1)), resetItem(at(2)), resetItem(at(10_000))];
    for (const item of [third, first, second, later]) await subject.store.addResetRequest(item!);
    expect(ids(await claim(5, 2))).toEqual(ids([first!, second!]));
    expect(ids(await claim(5, 2))).toEqual([third!.id]);
    expect(await claim(9_999)).toEqual([]);
    expect(ids(await claim(10_000))).toEqual([later!.id]);
  });

  it('an item under a live lease is not claimed again', async () => {
    await subject.store.addResetRequest(resetItem(at(0)));
    expect(await claim(0)).toHaveLength(1);
    expect(await claim(LEASE - 1)).toEqual([]);
  });

  it('an item whose lease ran out is taken over, its attempts counted', async () => {
    const item = resetItem(at(0));
    await subject.store.addResetRequest(item);
    const [first] = await claim(0);
    const [second] = await claim(LEASE);
    expect(first!.attempts).toBe(1);
    expect(second).toMatchObject({ id: item.id, state: 'sending', attempts: 2 });
  });

  it('a stale claim (the same item, an older attempt) can neither finish nor fail it', async () => {
    await subject.store.addResetRequest(resetItem(at(0)));
    const [stale] = await claim(0);
    const [current] = await claim(LEASE);
    await subject.store.finishOutboxItem(stale!, 'sent', at(LEASE + 1));
    await subject.store.failOutboxItem(stale!, 'late worker', null);
    await subject.store.failOutboxItem(stale!, 'late worker', at(LEASE + 2));
    expect((await subject.store.outboxCounts(at(0))).byState).toMatchObject({ sending: 1, sent: 0, dead: 0, pending: 0 });

    await subject.store.finishOutboxItem(current!, 'no_account', at(LEASE + 3));
    expect((await subject.store.outboxCounts(at(0))).byState).toMatchObject({ sending: 0, no_account: 1 });
    expect(await claim(10 * LEASE)).toEqual([]);
  });

  it('a finished item leaves the queue, and its claim cannot change it afterwards', async () => {
    await subject.store.addResetRequest(resetItem(at(0)));
    const [item] = await claim(0);
    await subject.store.finishOutboxItem(item!, 'throttled', at(5));
    await subject.store.failOutboxItem(item!, 'too late', null);
    await subject.store.finishOutboxItem(item!, 'sent', at(6));
    expect((await subject.store.outboxCounts(at(0))).byState).toMatchObject({ throttled: 1, sent: 0, dead: 0, sending: 0 });
    expect(await claim(10 * LEASE)).toEqual([]);
  });

  it('a failure with a retry time puts the item back pending, due then and not before, its attempts kept', async () => {
    await subject.store.addResetRequest(resetItem(at(0)));
    const [item] = await claim(0);
    await subject.store.failOutboxItem(item!, 'smtp: 421 try later', at(5_000));
    expect((await subject.store.outboxCounts(at(0))).byState).toMatchObject({ pending: 1, sending: 0 });
    expect(await claim(4_999)).toEqual([]);
    const [again] = await claim(5_000);
    expect(again).toMatchObject({ id: item!.id, attempts: 2 });
  });

  it('a failure without a retry time makes the item dead; the operator sees it, oldest first, with its error', async () => {
    const [older, newer, alive] = [resetItem(at(1)), resetItem(at(2)), resetItem(at(3))];
    for (const item of [newer, older, alive]) await subject.store.addResetRequest(item!);
    const claimed = await claim(10);
    for (const item of claimed) {
      if (item.id !== alive!.id) await subject.store.failOutboxItem(item, `refused ${item.id}`, null);
    }
    expect(await claim(10 * LEASE + 10)).toHaveLength(1);
    const dead = await subject.store.listDeadOutboxItems(10);
    expect(dead).toEqual([older, newer].map((item) => ({ id: item!.id, kind: 'reset', origin: 'rocketchat', createdAt: item!.createdAt, attempts: 1, lastError: `refused ${item!.id}` })));
    expect(await subject.store.listDeadOutboxItems(1)).toEqual([dead[0]]);
  });

  it('retrying dead items by id gives them a full set of attempts, due now, counted as an operator retry; others stay dead', async () => {
    const items = [resetItem(at(1)), resetItem(at(2)), resetItem(at(3))];
    for (const item of items) await subject.store.addResetRequest(item);
    for (const item of await claim(10)) await subject.store.failOutboxItem(item, 'down', null);
    const pendingOne = resetItem(at(4));
    await subject.store.addResetRequest(pendingOne);

    expect(await subject.store.retryDeadOutboxItems([items[0]!.id, pendingOne.id, 'rr_unknown'], at(1_000))).toBe(1);
    expect(await claim(999, 10)).toEqual([expect.objectContaining({ id: pendingOne.id })]);
    const [revived] = await claim(1_000);
    expect(revived).toMatchObject({ id: items[0]!.id, attempts: 1, operatorRetries: 1 });
    expect((await subject.store.listDeadOutboxItems(10)).map((item) => item.id)).toEqual([items[1]!.id, items[2]!.id]);

    expect(await subject.store.retryDeadOutboxItems(null, at(2_000))).toBe(2);
    expect(await subject.store.listDeadOutboxItems(10)).toEqual([]);
    expect(ids(await claim(2_000))).toEqual(ids([items[1]!, items[2]!]));
  });

  it('counts items by state, those that needed more than one attempt, and the latencies of mail sent since a time', async () => {
    const items = Array.from({ length: 6 }, (_, i) => resetItem(at(i * 1_000)));
    for (const item of items) await subject.store.addResetRequest(item);
    const claimed = new Map((await claim(10_000)).map((item) => [item.id, item]));
    const claimOf = (i: number) => claimed.get(items[i]!.id)!;
    await subject.store.finishOutboxItem(claimOf(0), 'sent', at(0 + 250)); // finished before `since`
    await subject.store.finishOutboxItem(claimOf(1), 'sent', at(1_000 + 40_000));
    await subject.store.finishOutboxItem(claimOf(2), 'sent', at(2_000 + 30_000));
    await subject.store.finishOutboxItem(claimOf(3), 'no_account', at(50_000));
    await subject.store.failOutboxItem(claimOf(4), 'later', at(20_000));
    const [retried] = await claim(20_000);
    expect(retried!.attempts).toBe(2);

    const counts = await subject.store.outboxCounts(at(30_000));
    expect(counts.byState).toEqual({ pending: 0, sending: 2, sent: 3, no_account: 1, throttled: 0, dead: 0 });
    expect(counts.retried).toBe(1);
    expect(counts.latenciesMs.sort((a, b) => a - b)).toEqual([30_000, 40_000]);
  });

  it('two workers claiming at once never get the same item, and together get every one', async () => {
    const items = Array.from({ length: 200 }, (_, i) => resetItem(at(i)));
    await Promise.all(items.map((item) => subject.store.addResetRequest(item)));
    const workers = [subject.store, await subject.another()];
    const taken: string[][] = [[], []];
    // Each worker runs several claim loops at once; on PostgreSQL they are truly concurrent.
    await Promise.all(
      workers.flatMap((worker, w) =>
        Array.from({ length: 4 }, async () => {
          for (;;) {
            const batch = await worker.claimOutbox(at(1_000), at(1_000 + LEASE), 7);
            if (batch.length === 0) return;
            taken[w]!.push(...batch.map((item) => item.id));
          }
        }),
      ),
    );
    const all = [...taken[0]!, ...taken[1]!];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(ids(items));
    if (kind === 'postgres') expect(taken.every((mine) => mine.length > 0)).toBe(true);
  });
});
