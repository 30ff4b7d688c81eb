import { RateLimiterRes } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { checkResetToken } from '../../src/core/complete-reset.ts';
import { newSecret } from '../../src/core/secrets.ts';
import { failureLimiter } from '../../src/limits/failure-limiter.ts';
import { limiterFactoryFor } from '../../src/limits/limiter-backend.ts';
import { mailThrottle } from '../../src/limits/mail-throttle.ts';
import { perMinuteLimit } from '../../src/limits/rate-limits.ts';
import { STORE_KINDS, useStore } from './stores.ts';

/**
 * The limiter factory beside each store keeps its counters in the store's own `rate_limits`
 * table (PostgreSQL, or the SQLite file): they count exactly when many requests arrive at
 * once, are shared by every process on the database, and survive a restart.
 */
describe.each(STORE_KINDS)('rate limits on %s', (kind) => {
  const subject = useStore(kind);
  const allowed = async (attempts: Promise<unknown>[]) =>
    (
      await Promise.all(
        attempts.map((attempt) =>
          attempt.then(
            () => true,
            (rejection) => {
              if (rejection instanceof RateLimiterRes) return false;
              throw rejection;
            },
          ),
        ),
      )
    ).filter(Boolean).length;

  it('50 parallel consumes against a limit of 10 allow exactly 10', async () => {
    const limiter = limiterFactoryFor(subject.store)({ keyPrefix: 'test-consume', points: 10, duration: 60 });
    expect(await allowed(Array.from({ length: 50 }, () => limiter.consume('198.51.100.7')))).toBe(10);
  });

  it('50 parallel penalties are all counted', async () => {
    const limiter = limiterFactoryFor(subject.store)({ keyPrefix: 'test-penalty', points: 10, duration: 60 });
    await Promise.all(Array.from({ length: 50 }, () => limiter.penalty('198.51.100.7', 1)));
    expect((await limiter.get('198.51.100.7'))?.consumedPoints).toBe(50);
  });

  // The counts of one turn of the event loop are committed together (one statement on
  // PostgreSQL, one transaction on SQLite): each must still read back what it would alone.
  it('counts of one turn read back as if made one by one, in order, a window that has ended starting again', async () => {
    const limiter = limiterFactoryFor(subject.store)({ keyPrefix: 'test-order', points: 100, duration: 60 });
    const consumed = (answers: { consumedPoints: number }[]) => answers.map((answer) => answer.consumedPoints);
    expect(consumed(await Promise.all([limiter.penalty('a', 2), limiter.reward('a', 1), limiter.penalty('b', 1), limiter.penalty('a', 5)]))).toEqual([2, 1, 1, 6]);
    await limiter.set('a', 40, 0.001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(consumed(await Promise.all([limiter.penalty('a', 1), limiter.penalty('a', 2), limiter.penalty('b', 1)]))).toEqual([1, 3, 2]);
  });

  it('keys and limiters count apart', async () => {
    const limiters = limiterFactoryFor(subject.store);
    const first = limiters({ keyPrefix: 'test-a', points: 2, duration: 60 });
    const second = limiters({ keyPrefix: 'test-b', points: 2, duration: 60 });
    expect(await allowed([first.consume('x'), first.consume('x'), first.consume('x')])).toBe(2);
    expect(await allowed([first.consume('y'), second.consume('x')])).toBe(2);
  });

  it('two instances share one count: 50 parallel consumes over both allow exactly 10', async () => {
    const other = await subject.another();
    const limiters = [limiterFactoryFor(subject.store), limiterFactoryFor(other)].map((factory) => factory({ keyPrefix: 'test-shared', points: 10, duration: 60 }));
    expect(await allowed(Array.from({ length: 50 }, (_, i) => limiters[i % 2]!.consume('198.51.100.7')))).toBe(10);
  });

  it('counts survive a restart: the mail budget and the failure count go on where they were', async () => {
    const before = limiterFactoryFor(subject.store);
    const throttle = mailThrottle(before, 3, 0);
    expect(await Promise.all([throttle.take('acct-1'), throttle.take('acct-1')])).toEqual([true, true]);
    const failures = failureLimiter(before, { keyPrefix: 'test-restart', points: 3, windowSeconds: 600, penaltyMs: 0 });
    expect(await Promise.all([failures.fail('203.0.113.5'), failures.fail('203.0.113.5')])).toEqual([0, 0]);

    // A new process on the same database, as after a restart: only the database is shared.
    const after = limiterFactoryFor(await subject.another());
    const restartedThrottle = mailThrottle(after, 3, 0);
    expect([await restartedThrottle.take('acct-1'), await restartedThrottle.take('acct-1')]).toEqual([true, false]);
    const restartedFailures = failureLimiter(after, { keyPrefix: 'test-restart', points: 3, windowSeconds: 600, penaltyMs: 0 });
    expect(await restartedFailures.fail('203.0.113.5')).toBe(0);
    expect(await restartedFailures.fail('203.0.113.5')).toBeGreaterThan(0);
  });

  it('the mail throttle lets exactly its allowance through when 50 requests for one account arrive at once', async () => {
    const throttle = mailThrottle(limiterFactoryFor(subject.store), 10, 0);
    const taken = await Promise.all(Array.from({ length: 50 }, () => throttle.take('acct-1')));
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(await throttle.take('acct-2')).toBe(true);
  });

  it('a per-minute limit answers exactly 10 of 50 parallel requests with ok, the rest with when to retry', async () => {
    const limit = perMinuteLimit(limiterFactoryFor(subject.store), 'test-per-minute', 10);
    const answers = await Promise.all(Array.from({ length: 50 }, () => limit('198.51.100.7')));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(10);
    expect(answers.filter((answer) => !answer.ok)).toEqual(Array(40).fill(expect.objectContaining({ ok: false, limit: 10, retryAfterSeconds: expect.any(Number) })));
  });

  // A failure is counted in the same step as the allowance is checked, so guesses that
  // arrive together cannot all pass before any is counted (on PostgreSQL 12 of 50 once got
  // through a limit of 10), and the count is in the store, so a restart does not reset it.
  it('50 parallel bad tokens against a limit of 10: exactly 10 answered unknown, the rest rate-limited; after a restart still limited', async () => {
    const check = (store: typeof subject.store) =>
      checkResetToken({ store, clock: { now: () => new Date() }, failures: failureLimiter(limiterFactoryFor(store), { keyPrefix: 'reset-failures', points: 10, windowSeconds: 600, penaltyMs: 0 }) }, newSecret(), '203.0.113.9');
    const checks = await Promise.all(Array.from({ length: 50 }, () => check(subject.store)));
    expect(checks.filter((answer) => answer.kind === 'unknown')).toHaveLength(10);
    expect(checks.filter((answer) => answer.kind === 'rate-limited')).toHaveLength(40);
    expect(await check(await subject.another())).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: expect.any(Number) });
  });
});
