import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { FailureLimiter } from '../core/ports.ts';

/** Failed token checks per client IP over a window: past the limit, that IP waits. */
export function memoryFailureLimiter(points: number, windowSeconds: number): FailureLimiter {
  const limiter = new RateLimiterMemory({ points, duration: windowSeconds });
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
