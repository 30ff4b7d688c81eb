import { RateLimiterRes } from 'rate-limiter-flexible';
import type { LimiterFactory } from './limiter-backend.ts';

/** The answer of a limit: go on, or wait. */
export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number; limit: number; resetAt: Date };

export type Limit = (key: string) => Promise<LimitResult>;

/** A fixed number of requests per minute per key; `perMinute` 0 means no limit, for benchmarks. */
export function perMinuteLimit(limiters: LimiterFactory, keyPrefix: string, perMinute: number): Limit {
  if (perMinute === 0) return async () => ({ ok: true });
  const limiter = limiters({ keyPrefix, points: perMinute, duration: 60 });
  return async (key) => {
    try {
      await limiter.consume(key);
      return { ok: true };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const waitMs = rejection.msBeforeNext;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), limit: perMinute, resetAt: new Date(Date.now() + waitMs) };
    }
  };
}
