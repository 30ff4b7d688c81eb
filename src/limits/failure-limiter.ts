import type { FailureLimiter } from '../core/ports.ts';
import type { LimiterFactory } from './limiter-backend.ts';

/** Failed token checks per client IP over a window: past the limit, that IP waits. */
export function failureLimiter(limiters: LimiterFactory, points: number, windowSeconds: number): FailureLimiter {
  const limiter = limiters({ keyPrefix: 'reset-failures', points, duration: windowSeconds });
  return {
    async blockedFor(key) {
      const state = await limiter.get(key);
      return state && state.consumedPoints >= points ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : 0;
    },
    async recordFailure(key) {
      await limiter.penalty(key, 1);
    },
  };
}
