import type { Account, Directory, FindResult, SetPasswordResult } from '../../core/directory.ts';
import { checkAccount, DirectoryError } from '../../core/directory.ts';
import { refusalReasons } from './refusal-reasons.ts';
import { checkHttpDirectorySettings } from './settings.ts';
import type { CallAnswer } from './signed-post.ts';
import { CallFailure, signedPost } from './signed-post.ts';

export interface HttpDirectoryOptions {
  url: string;
  secret: string;
  timeoutMs: number;
}

/**
 * The application answers resetd's signed callbacks (POST, JSON, `Resetd-Signature`):
 * `find` an identifier, `set-password` for an id, `ping`. The application hashes and stores
 * the password itself, so resetd never needs to know its hash format.
 */
export function openHttpDirectory(options: HttpDirectoryOptions): Directory {
  const problems = checkHttpDirectorySettings(options.url, options.secret);
  if (!(options.timeoutMs > 0)) problems.push('the http directory needs a positive time limit');
  if (problems.length > 0) throw new DirectoryError(`http directory: ${problems.join('; ')}`);
  const { url, secret, timeoutMs } = options;
  const call = (payload: object) => signedPost(url, secret, timeoutMs, payload);

  return {
    name: 'http',

    async find(identifier: string): Promise<FindResult> {
      try {
        const answer = await call({ action: 'find', identifier });
        if (answer.status === 404) {
          await answer.discard();
          return { kind: 'none' };
        }
        if (answer.status !== 200) {
          await answer.discard();
          throw new DirectoryError(`http directory: find answered ${answer.status}, expected 200 or 404`);
        }
        return { kind: 'found', account: checkAccount(parseJson(await answer.text()), 'DIRECTORY_URL') };
      } catch (error) {
        if (error instanceof CallFailure) throw new DirectoryError(`http directory: find: ${error.message}`);
        throw error;
      }
    },

    async setPassword(account: Account, password: string): Promise<SetPasswordResult> {
      try {
        const answer = await call({ action: 'set-password', id: account.id, password: password.normalize('NFC') });
        if (answer.status >= 200 && answer.status < 300) {
          await answer.discard();
          return { kind: 'done' };
        }
        if (answer.status !== 422) {
          await answer.discard();
          return { kind: 'unavailable', error: `http directory: set-password answered ${answer.status}` };
        }
        const reasons = refusalReasons(await answer.text());
        if (!reasons) {
          return { kind: 'unavailable', error: 'http directory: set-password answered 422 without 1–10 reasons (non-empty strings of at most 500 characters)' };
        }
        return { kind: 'refused', reasons };
      } catch (error) {
        // The message never holds the request body, so the password cannot leak into a log.
        return { kind: 'unavailable', error: `http directory: set-password: ${(error as Error).message}` };
      }
    },

    async ping(): Promise<void> {
      let answer: CallAnswer;
      try {
        answer = await call({ action: 'ping' });
      } catch (error) {
        throw new DirectoryError(`http directory: ping: ${(error as Error).message}`);
      }
      await answer.discard();
      // Reachable is all readiness asks: even a 401 proves the application is there.
      if (answer.status >= 500) throw new DirectoryError(`http directory: ping answered ${answer.status}`);
    },

    // Nothing to release: fetch's connection pool is shared and closes idle sockets itself.
    async close(): Promise<void> {},
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DirectoryError('http directory: find answered 200 with a body that is not JSON');
  }
}
