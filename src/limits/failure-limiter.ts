import { RateLimiterRes } from 'rate-limiter-flexible';
import type { FailureLimiter } from '../core/ports.ts';
import type { LimiterFactory } from './limiter-backend.ts';

/**
 * Failed token checks per client IP over a window: past the limit, that IP waits. Each
 * check consumes a point atomically before the token is looked up (the store's counter
 * does the check and the count in one step), and a check that found a valid token gives
 * its point back.
 */
export function failureLimiter(limiters: LimiterFactory, points: number, windowSeconds: number): FailureLimiter {
  const limiter = limiters({ keyPrefix: 'reset-failures', points, duration: windowSeconds });
  return {
    async attempt(key) {
      try {
        await limiter.consume(key, 1);
        return 0;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
    },
    async forgive(key) {
      await limiter.reward(key, 1);
    },
  };
}
