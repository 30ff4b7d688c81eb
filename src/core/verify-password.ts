import type { Account } from './directory.ts';
import { checkEmail, emailKey } from './email-address.ts';
import type { PasswordHasher } from './ports.ts';
import type { UserStore } from './store.ts';

/**
 * Checking a password against resetd's own users table (DIRECTORY=builtin), for
 * applications that let resetd own the passwords. An unknown address, a disabled account,
 * one without a password and a wrong password are one answer that takes the same work, so
 * neither the answer nor its time tells whether an account exists.
 */

/**
 * Checks a password against a stored hash in any format resetd reads (its own argon2id,
 * and those of applications users come from), hashing on the thread pool and comparing in
 * constant time, so checks neither block other requests nor leak through timing.
 */
export interface PasswordVerifier {
  /** 'outdated': right, but stored in another format or with weaker parameters than resetd writes now. */
  verify(stored: string, password: string): Promise<'right' | 'outdated' | 'wrong' | 'unreadable'>;
  /** The work of a check against resetd's own hash, where there is none to check, so every answer takes as long. */
  verifyNothing(password: string): Promise<void>;
}

/** Failed checks per account and per client IP, so nobody can guess passwords online. */
export interface VerifyLimiter {
  /**
   * Counts one attempt for the account and the client IP in the same step as it checks
   * their limits, so attempts arriving together cannot all pass before one is counted.
   * Seconds to wait (nothing counted), or 0: go ahead.
   */
  attempt(account: string, clientIp: string | null): Promise<number>;
  /** The password was right: the account's count starts again, and this attempt is given back to the IP. */
  succeeded(account: string, clientIp: string | null): Promise<void>;
}

export interface VerifyPasswordDeps {
  store: Pick<UserStore, 'findUserPassword' | 'upgradeUserPasswordHash'>;
  verifier: PasswordVerifier;
  /** resetd's own argon2id, for rehashing an outdated hash after a right password. */
  hasher: PasswordHasher;
  limiter: VerifyLimiter;
}

export interface VerifyPasswordCommand {
  email: string;
  password: string;
  /** The address the person connected from, as the application or the socket tells it. */
  clientIp: string | null;
}

export type VerifyPasswordOutcome =
  | { kind: 'verified'; account: Account }
  /** Wrong password, unknown address, disabled account, no password set: one outcome. */
  | { kind: 'refused' }
  | { kind: 'rate-limited'; retryAfterSeconds: number };

export async function verifyPassword(deps: VerifyPasswordDeps, command: VerifyPasswordCommand): Promise<VerifyPasswordOutcome> {
  const email = checkEmail(command.email);
  // Counted by the address asked about, whether or not it has an account, so the limit tells nothing either.
  const accountKey = email.ok ? email.key : emailKey(command.email);
  const wait = await deps.limiter.attempt(accountKey, command.clientIp);
  if (wait > 0) return { kind: 'rate-limited', retryAfterSeconds: wait };

  const found = email.ok ? await deps.store.findUserPassword(email.key) : undefined;
  const stored = found && !found.account.disabled ? found.passwordHash : null;
  // resetd stores passwords as NFC; a hash from elsewhere may be of the password as typed.
  const forms = [...new Set([command.password.normalize('NFC'), command.password])];
  let result: Checked = 'wrong';
  for (const form of forms) {
    result = await check(deps.verifier, stored, form);
    if (result !== 'wrong') break;
  }
  if (!found || stored === null || result === 'wrong') return { kind: 'refused' };

  await deps.limiter.succeeded(accountKey, command.clientIp);
  if (result === 'outdated') {
    // Rehash on login: the table converges on resetd's own argon2id. Only if the hash is
    // still the one just verified, so a password set meanwhile by a reset is kept.
    const upgraded = await deps.hasher.hash(command.password.normalize('NFC'));
    await deps.store.upgradeUserPasswordHash(found.account.id, stored, upgraded);
  }
  return { kind: 'verified', account: found.account };
}

type Checked = 'right' | 'outdated' | 'wrong';

/** No hash to check, or one in no format resetd reads: the stand-in's work, and wrong. */
async function check(verifier: PasswordVerifier, stored: string | null, password: string): Promise<Checked> {
  if (stored !== null) {
    const result = await verifier.verify(stored, password);
    if (result !== 'unreadable') return result;
  }
  await verifier.verifyNothing(password);
  return 'wrong';
}
