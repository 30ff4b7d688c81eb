import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { MailThrottle } from '../core/ports.ts';
import type { LimiterFactory } from './limiter-backend.ts';

/** Reset mail is counted per account id under these prefixes (per minute, per hour). */
export const MAIL_PREFIXES = ['mail-minute', 'mail-hour'] as const;

/** At most `perMinute` and `perHour` reset mails per account (0: no cap on that window). */
export function mailThrottle(limiters: LimiterFactory, perMinute: number, perHour: number): MailThrottle {
  const windows: RateLimiterAbstract[] = [];
  if (perMinute > 0) windows.push(limiters({ points: perMinute, duration: 60, keyPrefix: MAIL_PREFIXES[0] }));
  if (perHour > 0) windows.push(limiters({ points: perHour, duration: 3600, keyPrefix: MAIL_PREFIXES[1] }));
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
