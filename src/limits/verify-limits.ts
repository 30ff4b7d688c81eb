import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { VerifyLimiter } from '../core/verify-password.ts';
import type { LimiterFactory } from './limiter-backend.ts';

/** Failed verifies are counted under this prefix and the address asked about (its email key). */
export const VERIFY_ACCOUNT_PREFIX = 'verify-account';

export interface VerifyLimitSettings {
  /** Failed checks per account within the window; 0: no limit. */
  perAccount: number;
  /** Failed checks per client IP within the window; 0: no limit. */
  perIp: number;
  windowSeconds: number;
}

/**
 * Failed password checks (POST /api/auth/verify) per account and per client IP, in the
 * store's counters. Each attempt takes a point from both before the password is checked
 * (one atomic step per counter); a right password clears the account's count and gives
 * the IP its point back, so only failures use up an allowance.
 */
export function verifyLimiter(limiters: LimiterFactory, settings: VerifyLimitSettings): VerifyLimiter {
  const counter = (keyPrefix: string, points: number) =>
    points > 0 ? limiters({ keyPrefix, points, duration: settings.windowSeconds }) : null;
  const perAccount = counter(VERIFY_ACCOUNT_PREFIX, settings.perAccount);
  const perIp = counter('verify-ip', settings.perIp);
  const counted = (account: string, clientIp: string | null) =>
    [
      [perAccount, account],
      [perIp, clientIp],
    ].filter((pair): pair is [RateLimiterAbstract, string] => pair[0] !== null && pair[1] !== null);

  return {
    async attempt(account, clientIp) {
      const taken: [RateLimiterAbstract, string][] = [];
      for (const [limiter, key] of counted(account, clientIp)) {
        try {
          await limiter.consume(key, 1);
          taken.push([limiter, key]);
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          // Refused before any check: the other counter's point is given back.
          await Promise.all(taken.map(([other, otherKey]) => other.reward(otherKey, 1)));
          return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        }
      }
      return 0;
    },
    async succeeded(account, clientIp) {
      await Promise.all([perAccount?.delete(account), perIp && clientIp !== null ? perIp.reward(clientIp, 1) : undefined]);
    },
  };
}
