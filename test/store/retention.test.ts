import { describe, expect, it } from 'vitest';
import { at, resetItem, resetToken } from './fixtures.ts';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** RetentionStore: what resetd no longer needs is deleted, a bounded batch at a time. */
const LEASE = 60_000;
const CUTOFF = 10 * 3_600_000;

describe.each(STORE_KINDS)('forgetting old records on %s', (kind) => {
  const subject = useStore(kind);
  const outboxRows = () => subject.query<{ id: string; client_ip: string | null }>('SELECT id, client_ip FROM outbox ORDER BY id');
  const tokenHashes = async () => (await subject.query<{ hash: string }>('SELECT hash FROM reset_tokens')).map((row) => row.hash).sort();

  /** Queues an item created at `created` and leaves it in `state`. */
  const itemIn = async (state: 'pending' | 'sending' | 'sent' | 'no_account' | 'throttled' | 'dead', created: number) => {
    const item = resetItem(at(created), { clientIp: '198.51.100.7' });
    await subject.store.addResetRequest(item);
    if (state === 'pending') return item.id;
    const [claimed] = await subject.store.claimOutbox(at(created), at(created + LEASE), 1);
    expect(claimed!.id).toBe(item.id);
    if (state === 'dead') await subject.store.failOutboxItem(claimed!, 'refused', null);
    else if (state !== 'sending') await subject.store.finishOutboxItem(claimed!, state, at(created + 10));
    return item.id;
  };

  it('deletes finished outbox items created before the cutoff, keeps newer ones and unfinished work', async () => {
    const old = { sent: await itemIn('sent', 1), noAccount: await itemIn('no_account', 2), throttled: await itemIn('throttled', 3), dead: await itemIn('dead', 4) };
    const recent = await itemIn('dead', CUTOFF);
    const oldSending = await itemIn('sending', 5);
    const oldPending = await itemIn('pending', 6);

    const forgotten = await subject.store.forgetOlderThan(at(CUTOFF), 100);
    expect(forgotten.outboxItems).toBe(Object.keys(old).length);
    const rows = await outboxRows();
    expect(rows.map((row) => row.id).sort()).toEqual([oldPending, oldSending, recent].sort());
    // Unfinished work is kept, but not the address it came from.
    expect(rows.find((row) => row.id === recent)!.client_ip).toBe('198.51.100.7');
    expect(rows.filter((row) => row.id !== recent).map((row) => row.client_ip)).toEqual([null, null]);
    expect(forgotten.clientIps).toBe(2);
    // The worker still delivers what it kept (the old lease ran out long ago).
    expect((await subject.store.claimOutbox(at(CUTOFF), at(CUTOFF + LEASE), 10)).map((item) => item.id).sort()).toEqual([oldPending, oldSending].sort());
  });

  it('deletes tokens that expired before the cutoff, used, revoked or not; a token still usable then is kept', async () => {
    const expired = resetToken('usr_a', at(0));
    const spent = resetToken('usr_b', at(0));
    const revoked = resetToken('usr_c', at(0));
    const newer = resetToken('usr_c', at(10));
    const live = resetToken('usr_d', at(CUTOFF - 1_000));
    for (const token of [expired, spent, revoked, newer, live]) await subject.store.addResetToken(token);
    const until = at(2_000);
    expect(await subject.store.holdResetToken(spent.hash, at(1_000), until)).toBe('held');
    expect(await subject.store.completeReset({ tokenHash: spent.hash, heldUntil: until, accountId: 'usr_b', at: at(1_500), outbox: [] })).toBe('done');

    // Every token but `live` expired 30 minutes after T0, long before the cutoff.
    const forgotten = await subject.store.forgetOlderThan(at(CUTOFF), 100);
    expect(forgotten.tokens).toBe(4);
    expect(await tokenHashes()).toEqual([live.hash]);
  });

  it('one call is one bounded batch: at most `limit` rows of each kind, the rest on the next call', async () => {
    for (let i = 0; i < 7; i++) await itemIn('no_account', i);
    for (let i = 0; i < 7; i++) await subject.store.addResetToken(resetToken(`usr_${i}`, at(i)));

    expect(await subject.store.forgetOlderThan(at(CUTOFF), 5)).toMatchObject({ outboxItems: 5, tokens: 5 });
    expect(await subject.store.forgetOlderThan(at(CUTOFF), 5)).toMatchObject({ outboxItems: 2, tokens: 2 });
    expect(await subject.store.forgetOlderThan(at(CUTOFF), 5)).toEqual({ outboxItems: 0, tokens: 0, clientIps: 0 });
    expect(await outboxRows()).toEqual([]);
    expect(await tokenHashes()).toEqual([]);
  });

  it('the outbox counters count only what is kept', async () => {
    await itemIn('sent', 1);
    await itemIn('sent', CUTOFF + 1);
    await subject.store.forgetOlderThan(at(CUTOFF), 100);
    expect((await subject.store.outboxCounts(at(0))).byState).toMatchObject({ sent: 1 });
  });

  it('deletes rate-limit counters whose window has ended, a bounded batch at a time, and keeps live ones', async () => {
    const limiters = limiterFactoryFor(subject.store);
    const ended = limiters({ keyPrefix: 'ended', points: 10, duration: 1 });
    const live = limiters({ keyPrefix: 'live', points: 10, duration: 3600 });
    for (let i = 0; i < 3; i++) await ended.consume(`198.51.100.${i}`);
    await live.consume('198.51.100.9');
    const later = new Date(Date.now() + 5_000);

    expect(await subject.store.forgetExpiredCounters(later, 2)).toBe(2);
    expect(await subject.store.forgetExpiredCounters(later, 2)).toBe(1);
    expect(await subject.store.forgetExpiredCounters(later, 2)).toBe(0);
    const keys = await subject.query<{ key: string }>('SELECT key FROM rate_limits');
    expect(keys.map((row) => row.key)).toEqual(['live:198.51.100.9']);
  });
});
