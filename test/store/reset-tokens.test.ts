import { describe, expect, it } from 'vitest';
import type { NewResetToken } from '../../src/core/store.ts';
import { at, resetItem, resetToken } from './fixtures.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/** TokenStore: single use, only the newest of an account works, one completion at a time. */
const HOLD = 60_000;

describe.each(STORE_KINDS)('reset tokens on %s', (kind) => {
  const subject = useStore(kind);
  const add = async (accountId: string, created: number, fields: Partial<NewResetToken> = {}) => {
    const token = resetToken(accountId, at(created), fields);
    await subject.store.addResetToken(token);
    return token;
  };
  const hold = (hash: string, now: number, until = now + HOLD) => subject.store.holdResetToken(hash, at(now), at(until));
  const complete = (token: NewResetToken, heldUntil: number, when: number, outbox = [resetItem(at(when), { kind: 'password_changed', identifier: token.account.id, payload: '{}' })]) =>
    subject.store.completeReset({ tokenHash: token.hash, heldUntil: at(heldUntil), accountId: token.account.id, at: at(when), outbox });
  const live = async (...tokens: NewResetToken[]) => {
    const found = await Promise.all(tokens.map((token) => subject.store.findResetToken(token.hash)));
    return found.filter((token) => token && token.usedAt === null && token.revokedAt === null).map((token) => token!.hash);
  };

  it('keeps the account as the directory reported it; an unknown hash finds nothing', async () => {
    const token = await add('acct-1', 0, {
      account: { id: 'acct-1', email: 'Zoë@example.com', name: 'Zoë', locale: 'pt-BR' },
      origin: 'cloudreve',
      expiresAt: at(1_800_000),
    });
    expect(await subject.store.findResetToken(token.hash)).toEqual({ ...token, usedAt: null, revokedAt: null });
    expect(await subject.store.findResetToken('0'.repeat(64))).toBeUndefined();
  });

  it('a new token revokes the account’s older unused ones: only the newest link works; other accounts keep theirs', async () => {
    const older = await add('acct-1', 0);
    const otherAccount = await add('acct-2', 1);
    const newest = await add('acct-1', 2);
    expect(await subject.store.findResetToken(older.hash)).toMatchObject({ revokedAt: at(2), usedAt: null });
    expect(await live(older, newest, otherAccount)).toEqual([newest.hash, otherAccount.hash]);
    expect(await hold(older.hash, 3)).toBe('spent');
    expect(await hold(newest.hash, 3)).toBe('held');
  });

  // Two workers minting for one account at once once left several links alive on
  // PostgreSQL; five accounts at a time make a lost race show on every run, not on most.
  it('20 tokens minted at once for one account, by two instances, leave exactly one that works', async () => {
    const stores = [subject.store, await subject.another()];
    const accounts = Array.from({ length: 5 }, (_, a) => Array.from({ length: 20 }, (_, i) => resetToken(`acct-race-${a}`, at(i))));
    await Promise.all(accounts.flat().map((token, i) => stores[i % 2]!.addResetToken(token)));
    for (const tokens of accounts) expect(await live(...tokens)).toHaveLength(1);
  });

  it('a hold is taken once: a second completion finds it busy until the hold runs out', async () => {
    const token = await add('acct-1', 0);
    expect(await hold(token.hash, 10, 10 + HOLD)).toBe('held');
    expect(await hold(token.hash, 11)).toBe('busy');
    expect(await hold(token.hash, 10 + HOLD - 1)).toBe('busy');
    expect(await hold(token.hash, 10 + HOLD)).toBe('held');
  });

  it('a used, revoked, expired or unknown token cannot be held', async () => {
    const used = await add('acct-used', 0);
    expect(await hold(used.hash, 1, 100)).toBe('held');
    expect(await complete(used, 100, 2)).toBe('done');
    const revoked = await add('acct-2', 0);
    await add('acct-2', 1);
    const expiring = await add('acct-3', 0, { expiresAt: at(1_000) });
    expect(await hold(used.hash, 3)).toBe('spent');
    expect(await hold(revoked.hash, 3)).toBe('spent');
    expect(await hold(expiring.hash, 999)).toBe('held');
    await subject.store.releaseResetToken(expiring.hash, at(999 + HOLD));
    expect(await hold(expiring.hash, 1_000)).toBe('spent');
    expect(await hold('f'.repeat(64), 3)).toBe('spent');
  });

  it('releasing lets go only of one’s own hold', async () => {
    const token = await add('acct-1', 0);
    expect(await hold(token.hash, 10, 5_000)).toBe('held');
    await subject.store.releaseResetToken(token.hash, at(4_999));
    expect(await hold(token.hash, 11)).toBe('busy');
    await subject.store.releaseResetToken(token.hash, at(5_000));
    expect(await hold(token.hash, 12)).toBe('held');
  });

  it('completing spends the held token, revokes the account’s other tokens and queues its outbox items', async () => {
    const token = await add('acct-1', 0);
    expect(await hold(token.hash, 10, 10 + HOLD)).toBe('held');
    // A new link was mailed while the directory set the password: it must stop working too.
    const minted = await add('acct-1', 20);
    const stranger = await add('acct-2', 20);
    const notice = resetItem(at(30), { kind: 'password_changed', identifier: 'acct-1', payload: '{"email":"acct-1@example.com"}' });
    const webhook = resetItem(at(30), { kind: 'webhook', identifier: 'acct-1', payload: '{"event":"password.changed"}' });

    expect(await complete(token, 10 + HOLD, 30, [notice, webhook])).toBe('done');
    expect(await subject.store.findResetToken(token.hash)).toMatchObject({ usedAt: at(30) });
    expect(await subject.store.findResetToken(minted.hash)).toMatchObject({ usedAt: null, revokedAt: at(30) });
    expect(await live(stranger)).toEqual([stranger.hash]);
    const queued = await subject.store.claimOutbox(at(30), at(30 + HOLD), 10);
    expect(queued.sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([notice, webhook].map((item) => ({ ...item, state: 'sending', attempts: 1, operatorRetries: 0 })));
  });

  it('completing without the matching hold is lost and changes nothing', async () => {
    const token = await add('acct-1', 0);
    expect(await complete(token, 10 + HOLD, 30)).toBe('lost');
    expect(await hold(token.hash, 10, 10 + HOLD)).toBe('held');
    expect(await complete(token, 10 + HOLD + 1, 30)).toBe('lost');
    expect(await subject.store.findResetToken(token.hash)).toMatchObject({ usedAt: null, revokedAt: null });
    expect((await subject.store.outboxCounts(at(0))).byState.pending).toBe(0);
  });

  it('a completion whose hold ran out and was taken by another is lost; the other one completes', async () => {
    const token = await add('acct-1', 0);
    expect(await hold(token.hash, 10, 1_000)).toBe('held');
    expect(await hold(token.hash, 1_000, 2_000)).toBe('held');
    expect(await complete(token, 1_000, 1_500)).toBe('lost');
    expect(await complete(token, 2_000, 1_600)).toBe('done');
    expect((await subject.store.outboxCounts(at(0))).byState.pending).toBe(1);
  });

  it('a token cannot be completed twice', async () => {
    const token = await add('acct-1', 0);
    expect(await hold(token.hash, 10, 1_000)).toBe('held');
    const [first, second] = await Promise.all([complete(token, 1_000, 20), complete(token, 1_000, 21)]);
    expect([first, second].sort()).toEqual(['done', 'lost']);
    expect(await hold(token.hash, 30)).toBe('spent');
    expect(await complete(token, 1_000, 40)).toBe('lost');
    expect((await subject.store.outboxCounts(at(0))).byState.pending).toBe(1);
  });

  it('a completion whose outbox write fails leaves the token unspent and the other tokens as they were', async () => {
    const token = await add('acct-1', 0);
    expect(await hold(token.hash, 10, 1_000)).toBe('held');
    const minted = await add('acct-1', 20);
    const queued = resetItem(at(5));
    await subject.store.addResetRequest(queued);
    const clash = { ...resetItem(at(30), { kind: 'password_changed' as const, payload: '{}' }), id: queued.id };

    await expect(complete(token, 1_000, 30, [clash])).rejects.toThrow();
    expect(await subject.store.findResetToken(token.hash)).toMatchObject({ usedAt: null });
    expect(await live(minted)).toEqual([minted.hash]);
    expect(await complete(token, 1_000, 31)).toBe('done');
  });
});
