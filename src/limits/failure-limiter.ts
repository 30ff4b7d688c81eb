import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { FailureLimiter } from '../core/ports.ts';
import type { LimiterFactory } from './limiter-backend.ts';

export interface FailureLimiterOptions {
  /** Keeps these counters apart from the other limits' (failed reset tokens, failed admin tokens). */
  keyPrefix: string;
  /** Failures one key may have per window. */
  points: number;
  windowSeconds: number;
  /** How long an answer past the allowance waits: a guesser gets each refusal slowly. */
  penaltyMs?: number;
}

const DEFAULT_PENALTY_MS = 1_000;

/**
 * Failures per key (a client IP) over a fixed window, counted in the store beside the data
 * (one atomic upsert per failure), so parallel failures are counted exactly, every instance
 * shares the count and a restart keeps it. Only failures are ever counted: a caller looks
 * its secret up first and calls `fail` only when it was wrong.
 */
export function failureLimiter(limiters: LimiterFactory, options: FailureLimiterOptions): FailureLimiter {
  const limiter = limiters({ keyPrefix: options.keyPrefix, points: options.points, duration: options.windowSeconds });
  const penaltyMs = options.penaltyMs ?? DEFAULT_PENALTY_MS;
  return {
    async fail(key) {
      try {
        await limiter.consume(key, 1);
        return 0;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        if (penaltyMs > 0) await sleep(penaltyMs);
        return Math.max(1, Math.ceil((rejection.msBeforeNext - penaltyMs) / 1000));
      }
    },
  };
}
