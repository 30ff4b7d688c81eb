import { MAIL_PREFIXES } from './mail-throttle.ts';
import { VERIFY_ACCOUNT_PREFIX } from './verify-limits.ts';

/**
 * The rate-limit counters kept about one account, as rate-limiter-flexible names them
 * (`prefix:key`): deleting a user deletes them too, so nothing keyed by their address stays.
 */
export function accountCounterKeys(user: { id: string; emailKey: string }): string[] {
  return [`${VERIFY_ACCOUNT_PREFIX}:${user.emailKey}`, ...MAIL_PREFIXES.map((prefix) => `${prefix}:${user.id}`)];
}
