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
 * The limiter factory beside each store (PostgreSQL: its rate_limits table; SQLite: memory,
 * one process) counts exactly when many requests arrive at once.
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

  it('keys and limiters count apart', async () => {
    const limiters = limiterFactoryFor(subject.store);
    const first = limiters({ keyPrefix: 'test-a', points: 2, duration: 60 });
    const second = limiters({ keyPrefix: 'test-b', points: 2, duration: 60 });
    expect(await allowed([first.consume('x'), first.consume('x'), first.consume('x')])).toBe(2);
    expect(await allowed([first.consume('y'), second.consume('x')])).toBe(2);
  });

  it.skipIf(kind === 'sqlite')('two instances share one count: 50 parallel consumes over both allow exactly 10 (SQLite: one process, so not shared)', async () => {
    const other = await subject.another();
    const limiters = [limiterFactoryFor(subject.store), limiterFactoryFor(other)].map((factory) => factory({ keyPrefix: 'test-shared', points: 10, duration: 60 }));
    expect(await allowed(Array.from({ length: 50 }, (_, i) => limiters[i % 2]!.consume('198.51.100.7')))).toBe(10);
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

  // Each check consumes its point in the same step as it checks the limit, so guesses that
  // arrive together cannot all pass before any is counted (they all did, on both stores,
  // while the limiter checked first and recorded the failure after the lookup).
  it('50 parallel bad tokens against a limit of 10: exactly 10 are looked up, the rest rate-limited', async () => {
    const deps = { store: subject.store, clock: { now: () => new Date() }, failures: failureLimiter(limiterFactoryFor(subject.store), 10, 600) };
    const checks = await Promise.all(Array.from({ length: 50 }, () => checkResetToken(deps, newSecret(), '203.0.113.9')));
    expect(checks.filter((check) => check.kind === 'unknown')).toHaveLength(10);
    expect(checks.filter((check) => check.kind === 'rate-limited')).toHaveLength(40);
  });
});
