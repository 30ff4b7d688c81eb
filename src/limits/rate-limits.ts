import { RateLimiterRes } from 'rate-limiter-flexible';
import type { LimiterFactory } from './limiter-backend.ts';

/** Where a key stands in its window once this request is counted. */
export interface LimitCount {
  limit: number;
  remaining: number;
  resetAt: Date;
}

/** The answer of a limit: go on (with where the key stands; no `count` when there is no limit), or wait. */
export type LimitResult = { ok: true; count?: LimitCount } | { ok: false; retryAfterSeconds: number; limit: number; resetAt: Date };

export type Limit = (key: string) => Promise<LimitResult>;

/** A fixed number of requests per minute per key; `perMinute` 0 means no limit, for benchmarks. */
export function perMinuteLimit(limiters: LimiterFactory, keyPrefix: string, perMinute: number): Limit {
  if (perMinute === 0) return async () => ({ ok: true });
  const limiter = limiters({ keyPrefix, points: perMinute, duration: 60 });
  return async (key) => {
    try {
      const taken = await limiter.consume(key);
      return { ok: true, count: { limit: perMinute, remaining: taken.remainingPoints, resetAt: new Date(Date.now() + taken.msBeforeNext) } };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const waitMs = rejection.msBeforeNext;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), limit: perMinute, resetAt: new Date(Date.now() + waitMs) };
    }
  };
}

/** Where the key stands after either answer; undefined when there is no limit. */
export function limitCount(result: LimitResult): LimitCount | undefined {
  return result.ok ? result.count : { limit: result.limit, remaining: 0, resetAt: result.resetAt };
}
