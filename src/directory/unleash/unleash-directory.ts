import type { Account, Directory, FindResult, SetPasswordResult } from '../../core/directory.ts';
import { DirectoryError } from '../../core/directory.ts';
import type { AdminAnswer } from './admin-api.ts';
import { adminApi, CallFailure } from './admin-api.ts';
import { matchingAccounts, passwordRefusal } from './answers.ts';
import { checkUnleashDirectorySettings } from './settings.ts';

export { checkUnleashDirectorySettings };

export interface UnleashDirectoryOptions {
  url: string;
  token: string;
  timeoutMs: number;
}

/**
 * The accounts are Unleash's own users, reached through its admin API with an admin token:
 * `GET /api/admin/user-admin/search?q=` to find, `POST /api/admin/user-admin/{id}/change-password`
 * to set (Unleash hashes, applies its password policy, expires its reset links and ends the
 * user's sessions). resetd never touches Unleash's database. Accounts are found by email
 * only, as Unleash's own forgot-password form finds them.
 */
export function openUnleashDirectory(options: UnleashDirectoryOptions): Directory {
  const problems = checkUnleashDirectorySettings(options.url, options.token);
  if (!(options.timeoutMs > 0)) problems.push('the unleash directory needs a positive time limit');
  if (problems.length > 0) throw new DirectoryError(`unleash directory: ${problems.join('; ')}`);
  const call = adminApi(options.url, options.token, options.timeoutMs);

  return {
    name: 'unleash',

    async find(identifier: string): Promise<FindResult> {
      // Unleash searches only from two characters on; no email is shorter.
      if (identifier.length < 2) return { kind: 'none' };
      try {
        const answer = await call('GET', `/api/admin/user-admin/search?q=${encodeURIComponent(identifier)}`);
        if (answer.status !== 200) {
          await answer.discard();
          throw new DirectoryError(`unleash directory: the user search answered ${answer.status}${refusedToken(answer.status)}, expected 200`);
        }
        const accounts = matchingAccounts(await answer.text(), identifier);
        if (accounts.length === 0) return { kind: 'none' };
        if (accounts.length > 1) return { kind: 'ambiguous', matches: accounts.length };
        return { kind: 'found', account: accounts[0]! };
      } catch (error) {
        if (error instanceof CallFailure) throw new DirectoryError(`unleash directory: the user search: ${error.message}`);
        throw error;
      }
    },

    async setPassword(account: Account, password: string): Promise<SetPasswordResult> {
      // The id came from find; anything but Unleash's integer id is never put in a path.
      if (!/^[1-9][0-9]{0,15}$/.test(account.id)) return { kind: 'unavailable', error: 'unleash directory: the account id is not an Unleash user id' };
      try {
        const answer = await call('POST', `/api/admin/user-admin/${account.id}/change-password`, { password: password.normalize('NFC') });
        if (answer.status >= 200 && answer.status < 300) {
          await answer.discard();
          return { kind: 'done' };
        }
        if (answer.status === 400) {
          const reasons = passwordRefusal(await answer.text());
          if (reasons) return { kind: 'refused', reasons };
        } else {
          await answer.discard();
        }
        return { kind: 'unavailable', error: `unleash directory: change-password answered ${answer.status}${refusedToken(answer.status)}` };
      } catch (error) {
        // The message never holds the request body, so the password cannot leak into a log.
        return { kind: 'unavailable', error: `unleash directory: change-password: ${(error as Error).message}` };
      }
    },

    /** Unleash's own public check, as its reset page calls it: its reasons, or none. */
    async checkPassword(password: string): Promise<string[]> {
      try {
        const answer = await call('POST', '/auth/reset/validate-password', { password });
        if (answer.status === 400) return passwordRefusal(await answer.text()) ?? [];
        await answer.discard();
      } catch {
        // Unleash cannot say now: resetd's own policy stands, and change-password still checks.
      }
      return [];
    },

    async ping(): Promise<void> {
      // An admin-only read, so a token that could search but not change passwords fails readiness.
      let answer: AdminAnswer;
      try {
        answer = await call('GET', '/api/admin/user-admin/admin-count');
      } catch (error) {
        throw new DirectoryError(`unleash directory: ping: ${(error as Error).message}`);
      }
      await answer.discard();
      if (answer.status !== 200) throw new DirectoryError(`unleash directory: ping answered ${answer.status}${refusedToken(answer.status)}`);
    },

    // Nothing to release: fetch's connection pool is shared and closes idle sockets itself.
    async close(): Promise<void> {},
  };
}

function refusedToken(status: number): string {
  if (status === 401) return ' (UNLEASH_API_TOKEN was not accepted)';
  if (status === 403) return ' (UNLEASH_API_TOKEN is not an admin\'s)';
  return '';
}
