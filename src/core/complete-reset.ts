import type { Origin } from './outbox-item.ts';
import type { PasswordProblem } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { Clock, CommonPasswords, FailureLimiter, PasswordHasher, ResetToken, Store, User } from './ports.ts';
import { newId, sameDigest, sha256 } from './secrets.ts';
import type { CoreSettings } from './settings.ts';

export interface CompleteResetDeps {
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  common: CommonPasswords;
  failures: FailureLimiter;
  settings: Pick<CoreSettings, 'passwordMinLength' | 'webhook'>;
  wake?: () => void;
}

/** Why a token cannot be used. The reset page shows one message for all three. */
export type TokenProblem = 'unknown' | 'expired' | 'used';

export type TokenCheck =
  | { kind: 'valid'; token: ResetToken; user: User }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: TokenProblem; origin: Origin | null };

export type CompleteResetOutcome =
  | { kind: 'done'; origin: Origin }
  | { kind: 'weak'; problems: PasswordProblem[]; minLength: number; origin: Origin }
  | Exclude<TokenCheck, { kind: 'valid' }>;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Looks a token up (by its SHA-256, then compared in constant time) without spending it:
 * opening the page, or a mail scanner fetching the link, changes nothing. Failures count
 * against the client's address. `userId`, when given (Cloudreve's links carry it), must
 * be the token's user.
 */
export async function checkResetToken(
  deps: Pick<CompleteResetDeps, 'store' | 'clock' | 'failures'>,
  token: string,
  clientIp: string | null,
  userId?: string,
): Promise<TokenCheck> {
  const key = clientIp ?? 'unknown';
  const wait = await deps.failures.blockedFor(key);
  if (wait > 0) return { kind: 'rate-limited', retryAfterSeconds: wait };
  const problem = await findProblem();
  if (problem.kind !== 'valid') await deps.failures.recordFailure(key);
  return problem;

  async function findProblem(): Promise<TokenCheck> {
    if (!TOKEN_SHAPE.test(token)) return { kind: 'unknown', origin: null };
    const hash = sha256(token);
    const found = await deps.store.findResetToken(hash);
    if (!found || !sameDigest(found.hash, hash) || (userId !== undefined && found.userId !== userId)) {
      return { kind: 'unknown', origin: null };
    }
    if (found.usedAt || found.revokedAt) return { kind: 'used', origin: found.origin };
    if (found.expiresAt.getTime() <= deps.clock.now().getTime()) return { kind: 'expired', origin: found.origin };
    const user = await deps.store.findUserById(found.userId);
    if (!user || user.disabled) return { kind: 'unknown', origin: null };
    return { kind: 'valid', token: found, user };
  }
}

/**
 * Sets a new password with a token: the token is spent, every other outstanding token of
 * the user revoked, the "password changed" notice (and the webhook, when configured)
 * queued, all in one transaction. Two completions racing with one token: exactly one wins.
 * No session is created: the user logs in with the new password.
 */
export async function completeReset(
  deps: CompleteResetDeps,
  command: { token: string; password: string; clientIp: string | null; userId?: string },
): Promise<CompleteResetOutcome> {
  const check = await checkResetToken(deps, command.token, command.clientIp, command.userId);
  if (check.kind !== 'valid') return check;
  const { token } = check;
  const problems = checkPassword(command.password, {
    minLength: deps.settings.passwordMinLength,
    email: check.user.email,
    common: deps.common,
  });
  if (problems.length > 0) {
    return { kind: 'weak', problems, minLength: deps.settings.passwordMinLength, origin: token.origin };
  }

  const passwordHash = await deps.hasher.hash(command.password.normalize('NFC'));
  const at = deps.clock.now();
  const item = (kind: 'password_changed' | 'webhook', payload: string | null) => ({
    id: newId(kind === 'webhook' ? 'wh' : 'pc'),
    kind,
    origin: token.origin,
    identifier: token.userId,
    clientIp: command.clientIp,
    createdAt: at,
    payload,
  });
  const outbox = [item('password_changed', null)];
  if (deps.settings.webhook) {
    const body = { event: 'password.changed', userId: token.userId, email: check.user.email, changedAt: at.toISOString() };
    outbox.push(item('webhook', JSON.stringify(body)));
  }
  const result = await deps.store.completeReset({ tokenHash: token.hash, userId: token.userId, passwordHash, at, outbox });
  if (result === 'spent') return { kind: 'used', origin: token.origin };
  deps.wake?.();
  return { kind: 'done', origin: token.origin };
}
