import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { MailThrottle } from '../core/ports.ts';

/** At most `perMinute` and `perHour` reset mails per account (0: no cap on that window). */
export function memoryMailThrottle(perMinute: number, perHour: number): MailThrottle {
  const windows = [
    perMinute > 0 && new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: 'mail-minute' }),
    perHour > 0 && new RateLimiterMemory({ points: perHour, duration: 3600, keyPrefix: 'mail-hour' }),
  ].filter((limiter): limiter is RateLimiterMemory => limiter !== false);
  return {
    async take(account) {
      for (const limiter of windows) {
        try {
          await limiter.consume(account);
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return false;
          throw rejection;
        }
      }
      return true;
    },
  };
}
