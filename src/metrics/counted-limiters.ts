import { RateLimiterRes } from 'rate-limiter-flexible';
import type { LimiterFactory } from '../limits/limiter-backend.ts';
import type { WorkerMetrics } from './resetd-metrics.ts';

/**
 * Every limiter resetd makes, counting its refusals by its keyPrefix (ip, api-key,
 * reset-failures, admin-failures, verify-*, mail-*). One place covers every step that
 * answers 429, and the mail throttle, without each of them knowing about metrics. A
 * limiter that fails (its store is down) rejects with an Error, not a refusal: not counted.
 */
export function countedLimiters(limiters: LimiterFactory, metrics: Pick<WorkerMetrics, 'rateLimitRefusals'>): LimiterFactory {
  return (options) => {
    const limiter = limiters(options);
    const labels = { limit: options.keyPrefix };
    const consume = limiter.consume.bind(limiter);
    limiter.consume = async (...args: Parameters<typeof consume>) => {
      try {
        return await consume(...args);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) metrics.rateLimitRefusals.inc(labels);
        throw rejection;
      }
    };
    return limiter;
  };
}
