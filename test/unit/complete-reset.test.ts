import { describe, expect, it } from 'vitest';
import type { CompleteResetDeps } from '../../src/core/complete-reset.ts';
import { checkResetToken, completeReset, RETRY_SOON_SECONDS } from '../../src/core/complete-reset.ts';
import type { Account, SetPasswordResult } from '../../src/core/directory.ts';
import { newId, newSecret, sha256 } from '../../src/core/secrets.ts';
import type { NewResetToken, Store } from '../../src/core/store.ts';
import { commonPasswordList } from '../../src/common-passwords/common-password-list.ts';
import { failureLimiter } from '../../src/limits/failure-limiter.ts';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { zxcvbnStrength } from '../../src/password-strength/zxcvbn-strength.ts';
import { claimDue, deferred, memoryStore, movableClock, until } from './harness.ts';

/** Completing a reset: check the token, check the password, let the directory set it, then spend the token. */
const ACCOUNT = { id: 'usr_ana', email: 'ana.lima@example.com', name: 'Ana', locale: 'pt-BR' };
const GOOD = 'correct horse battery staple';
/** The delay of an answer past the failure allowance, kept short here. */
const PENALTY_MS = 200;

type Answer = SetPasswordResult | (() => Promise<SetPasswordResult>);

function setup(options: { webhook?: boolean; failureLimit?: number; holdMs?: number; holdWaitMs?: number } = {}) {
  const store = memoryStore();
  const clock = movableClock();
  const calls: { account: Account; password: string }[] = [];
  const answers: Answer[] = [];
  const holds: string[] = [];
  let wakes = 0;
  // The real store, with its holds watched: a test can wait for a completion to find the token busy.
  const watched: Store = Object.create(store, {
    holdResetToken: {
      value: async (...args: Parameters<Store['holdResetToken']>) => {
        const hold = await store.holdResetToken(...args);
        holds.push(hold);
        return hold;
      },
    },
  });
  const deps: CompleteResetDeps = {
    store: watched,
    clock,
    directory: {
      async setPassword(account, password) {
        calls.push({ account, password });
        const answer = answers.shift() ?? { kind: 'done' };
        return typeof answer === 'function' ? answer() : answer;
      },
    },
    passwords: { minLength: 10, common: commonPasswordList(), strength: zxcvbnStrength, siteNames: ['resetd'] },
    failures: failureLimiter(limiterFactoryFor(store), { keyPrefix: 'reset-failures', points: options.failureLimit ?? 100, windowSeconds: 600, penaltyMs: PENALTY_MS }),
    settings: { webhook: options.webhook ?? false },
    holdMs: options.holdMs,
    holdWaitMs: options.holdWaitMs,
    wake: () => wakes++,
  };
  const mint = async (fields: Partial<NewResetToken> = {}) => {
    const secret = newSecret();
    const now = clock.now();
    await store.addResetToken({ hash: sha256(secret), requestId: newId('rr'), account: ACCOUNT, origin: 'rocketchat', createdAt: now, expiresAt: new Date(now.getTime() + 1800_000), ...fields });
    return secret;
  };
  const complete = (token: string, password = GOOD, more: { clientIp?: string; accountId?: string } = {}) =>
    completeReset(deps, { token, password, clientIp: more.clientIp ?? '198.51.100.4', accountId: more.accountId });
  const check = (token: string, clientIp = '198.51.100.4', accountId?: string) => checkResetToken(deps, token, clientIp, accountId);
  const stateOf = async (secret: string) => store.findResetToken(sha256(secret));
  return { store, clock, deps, calls, answers, holds, mint, complete, check, stateOf, wakes: () => wakes };
}

describe('checking a token', () => {
  it('a live token is valid, with the account as the directory reported it; checking does not spend it', async () => {
    const { mint, check, calls } = setup();
    const token = await mint();
    expect(await check(token)).toMatchObject({ kind: 'valid', account: ACCOUNT, token: { hash: sha256(token), usedAt: null } });
    expect(await check(token)).toMatchObject({ kind: 'valid' });
    expect(calls).toEqual([]);
  });

  it('an unknown or malformed token is unknown, with no origin', async () => {
    const { check } = setup();
    expect(await check(newSecret())).toEqual({ kind: 'unknown', origin: null });
    expect(await check('too-short')).toEqual({ kind: 'unknown', origin: null });
    expect(await check(`${newSecret().slice(0, 42)}!`)).toEqual({ kind: 'unknown', origin: null });
  });

  it('a link naming another account is unknown; naming its own it is valid', async () => {
    const { mint, check } = setup();
    const token = await mint({ origin: 'cloudreve' });
    expect(await check(token, '198.51.100.4', 'usr_other')).toEqual({ kind: 'unknown', origin: null });
    expect(await check(token, '198.51.100.4', 'usr_ana')).toMatchObject({ kind: 'valid' });
  });

  it('a token is expired from its expiry on, answered in its origin’s words', async () => {
    const { mint, check, clock } = setup();
    const token = await mint({ origin: 'unleash' });
    clock.advance(1800_000 - 1);
    expect(await check(token)).toMatchObject({ kind: 'valid' });
    clock.advance(1);
    expect(await check(token)).toEqual({ kind: 'expired', origin: 'unleash' });
  });

  it('a used or replaced token is used', async () => {
    const { mint, check, complete } = setup();
    const replaced = await mint();
    const used = await mint();
    expect(await complete(used)).toMatchObject({ kind: 'done' });
    expect(await check(used)).toEqual({ kind: 'used', origin: 'rocketchat' });
    expect(await check(replaced)).toEqual({ kind: 'used', origin: 'rocketchat' });
  });

  it('only unknown tokens count against the client’s address; past the limit they are answered rate-limited, slowly, while real links still work there', async () => {
    const { mint, check, complete } = setup({ failureLimit: 3 });
    const token = await mint();
    const spent = await mint({ account: { ...ACCOUNT, id: 'usr_other' } });
    expect(await complete(spent)).toMatchObject({ kind: 'done' });
    for (let i = 0; i < 5; i++) expect(await check(token, '203.0.113.1')).toMatchObject({ kind: 'valid' });
    expect(await check(spent, '203.0.113.1')).toMatchObject({ kind: 'used' });
    expect(await check(newSecret(), '203.0.113.1')).toMatchObject({ kind: 'unknown' });
    expect(await complete(newSecret(), GOOD, { clientIp: '203.0.113.1' })).toMatchObject({ kind: 'unknown' });
    expect(await check('nonsense', '203.0.113.1')).toMatchObject({ kind: 'unknown' });

    const started = Date.now();
    const blocked = await check(newSecret(), '203.0.113.1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(PENALTY_MS - 5);
    expect(blocked).toEqual({ kind: 'rate-limited', retryAfterSeconds: expect.any(Number) });
    expect((blocked as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(await check(newSecret(), '203.0.113.2')).toMatchObject({ kind: 'unknown' });
    // The neighbours' guesses never lock a real link out.
    expect(await check(token, '203.0.113.1')).toMatchObject({ kind: 'valid' });
    expect(await check(spent, '203.0.113.1')).toMatchObject({ kind: 'used' });
    expect(await complete(token, GOOD, { clientIp: '203.0.113.1' })).toMatchObject({ kind: 'done' });
  });
});

describe('completing a reset', () => {
  it.each([
    ['kT7#vQ2', ['too-short']],
    ['Password123', ['common']],
    ['my name is ANA.LIMA!', ['contains-email']],
  ] as const)('a weak password (%j) is refused with why (%j); nothing is set and the link still works', async (password, problems) => {
    const { mint, complete, calls, stateOf } = setup();
    const token = await mint();
    expect(await complete(token, password)).toEqual({ kind: 'weak', problems, minLength: 10, origin: 'rocketchat' });
    expect(calls).toEqual([]);
    expect(await stateOf(token)).toMatchObject({ usedAt: null, revokedAt: null });
    expect(await complete(token)).toMatchObject({ kind: 'done' });
  });

  it('done: the directory sets the NFC password for the token’s account, the token is spent and the notice queued', async () => {
    const { store, clock, mint, complete, calls, stateOf, wakes } = setup();
    const token = await mint();
    clock.advance(5_000);
    expect(await complete(token, 'Cafe\u0301 au lait tous les jours', { clientIp: '203.0.113.7' })).toEqual({ kind: 'done', origin: 'rocketchat', account: ACCOUNT });
    expect(calls).toEqual([{ account: { ...ACCOUNT, disabled: false }, password: 'Café au lait tous les jours' }]);
    expect(await stateOf(token)).toMatchObject({ usedAt: clock.now() });
    const queued = await claimDue(store, clock);
    expect(queued).toEqual([
      expect.objectContaining({ kind: 'password_changed', origin: 'rocketchat', identifier: 'usr_ana', clientIp: '203.0.113.7', createdAt: clock.now(), payload: JSON.stringify({ email: ACCOUNT.email, name: 'Ana', locale: 'pt-BR' }) }),
    ]);
    expect(wakes()).toBe(1);
    expect(await complete(token)).toEqual({ kind: 'used', origin: 'rocketchat' });
  });

  it('done: a link mailed while the directory worked is revoked too, and a webhook is queued when configured', async () => {
    const { store, clock, mint, complete, answers, stateOf } = setup({ webhook: true });
    const token = await mint();
    let minted = '';
    answers.push(async () => {
      minted = await mint();
      return { kind: 'done' };
    });
    expect(await complete(token)).toMatchObject({ kind: 'done' });
    expect(await stateOf(minted)).toMatchObject({ usedAt: null, revokedAt: clock.now() });
    const webhook = (await claimDue(store, clock)).find((item) => item.kind === 'webhook');
    expect(JSON.parse(webhook!.payload!)).toEqual({ event: 'password.changed', userId: 'usr_ana', email: ACCOUNT.email, changedAt: clock.now().toISOString() });
  });

  it('refused by the application: its reasons are shown, and the link still works', async () => {
    const { store, clock, mint, complete, answers, stateOf } = setup();
    const token = await mint();
    answers.push({ kind: 'refused', reasons: ['Password was used before.'] });
    expect(await complete(token)).toEqual({ kind: 'refused', reasons: ['Password was used before.'], origin: 'rocketchat' });
    expect(await stateOf(token)).toMatchObject({ usedAt: null });
    expect(await claimDue(store, clock)).toEqual([]);
    expect(await complete(token)).toMatchObject({ kind: 'done' });
  });

  it('the application unavailable: try again soon, and the link still works', async () => {
    const { store, clock, mint, complete, answers, stateOf } = setup();
    const token = await mint();
    answers.push({ kind: 'unavailable', error: 'connect ECONNREFUSED' });
    expect(await complete(token)).toEqual({ kind: 'unavailable', origin: 'rocketchat', retryAfterSeconds: RETRY_SOON_SECONDS });
    expect(await stateOf(token)).toMatchObject({ usedAt: null });
    expect(await claimDue(store, clock)).toEqual([]);
    expect(await complete(token)).toMatchObject({ kind: 'done' });
  });

  it('a second completion racing with the same token waits for the first, then is told the link is used', async () => {
    const { store, clock, mint, complete, answers, holds, calls } = setup();
    const token = await mint();
    const first = deferred<SetPasswordResult>();
    answers.push(() => first.promise);
    const firstCompletion = complete(token);
    await until(() => calls.length === 1);
    const secondCompletion = complete(token, 'another long passphrase');
    await until(() => holds.includes('busy'));
    first.resolve({ kind: 'done' });
    expect(await firstCompletion).toMatchObject({ kind: 'done' });
    expect(await secondCompletion).toEqual({ kind: 'used', origin: 'rocketchat' });
    expect(calls).toHaveLength(1);
    expect(await claimDue(store, clock)).toHaveLength(1);
  });

  it('when the first racing completion is refused, the waiting one gets its own try', async () => {
    const { mint, complete, answers, holds, calls } = setup();
    const token = await mint();
    const first = deferred<SetPasswordResult>();
    answers.push(() => first.promise);
    const firstCompletion = complete(token, 'first long passphrase');
    await until(() => calls.length === 1);
    const secondCompletion = complete(token, 'second long passphrase');
    await until(() => holds.includes('busy'));
    first.resolve({ kind: 'refused', reasons: ['no'] });
    expect(await firstCompletion).toMatchObject({ kind: 'refused' });
    expect(await secondCompletion).toMatchObject({ kind: 'done' });
    expect(calls.map((call) => call.password)).toEqual(['first long passphrase', 'second long passphrase']);
  });

  it('a completion that waits longer than it may for a held token is told to try again soon', async () => {
    const { clock, mint, complete, answers, holds, calls } = setup({ holdWaitMs: 1_000 });
    const token = await mint();
    const first = deferred<SetPasswordResult>();
    answers.push(() => first.promise);
    const firstCompletion = complete(token);
    await until(() => calls.length === 1);
    const secondCompletion = complete(token);
    await until(() => holds.includes('busy'));
    clock.advance(1_000);
    expect(await secondCompletion).toEqual({ kind: 'unavailable', origin: 'rocketchat', retryAfterSeconds: RETRY_SOON_SECONDS });
    first.resolve({ kind: 'done' });
    expect(await firstCompletion).toMatchObject({ kind: 'done' });
  });

  it('a completion whose hold ran out while the directory worked, and was taken over, is told the link is used; one notice is queued', async () => {
    const { store, clock, mint, complete, answers, calls } = setup({ holdMs: 1_000 });
    const token = await mint();
    const slow = deferred<SetPasswordResult>();
    answers.push(() => slow.promise);
    const slowCompletion = complete(token, 'slow long passphrase');
    await until(() => calls.length === 1);
    clock.advance(1_000);
    expect(await complete(token, 'later long passphrase')).toMatchObject({ kind: 'done' });
    slow.resolve({ kind: 'done' });
    expect(await slowCompletion).toEqual({ kind: 'used', origin: 'rocketchat' });
    expect(await claimDue(store, clock)).toHaveLength(1);
  });
});
