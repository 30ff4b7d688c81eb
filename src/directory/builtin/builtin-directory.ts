import type { Directory } from '../../core/directory.ts';
import { checkEmail } from '../../core/email-address.ts';
import type { Clock, PasswordHasher } from '../../core/ports.ts';
import type { Store, UserStore } from '../../core/store.ts';

export interface BuiltinDirectoryDeps {
  store: Pick<UserStore, 'findUserByEmailKey' | 'findUsersByIdOrName' | 'setUserPassword'> & Pick<Store, 'ping'>;
  hasher: PasswordHasher;
  clock: Clock;
}

/**
 * DIRECTORY=builtin: resetd's own users table (added with the admin API or the CLI),
 * passwords stored as argon2id. For teams that let resetd own the passwords.
 */
export function builtinDirectory(deps: BuiltinDirectoryDeps): Directory {
  return {
    name: 'builtin',
    async find(identifier) {
      const email = checkEmail(identifier);
      if (email.ok) {
        const account = await deps.store.findUserByEmailKey(email.key);
        return account ? { kind: 'found', account } : { kind: 'none' };
      }
      // An id names one account; a display name may be shared, and then it names nobody.
      const accounts = await deps.store.findUsersByIdOrName(identifier, 2);
      if (accounts.length > 1) return { kind: 'ambiguous', matches: accounts.length };
      return accounts[0] ? { kind: 'found', account: accounts[0] } : { kind: 'none' };
    },
    async setPassword(account, password) {
      try {
        const hash = await deps.hasher.hash(password);
        const result = await deps.store.setUserPassword(account.id, hash, deps.clock.now());
        return result === 'done' ? { kind: 'done' } : { kind: 'refused', reasons: ['This account can no longer be reset.'] };
      } catch (error) {
        return { kind: 'unavailable', error: (error as Error).message };
      }
    },
    ping: () => deps.store.ping(),
    // The store belongs to resetd and is closed with it.
    async close() {},
  };
}
