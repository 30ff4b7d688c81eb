import type { Account, Directory } from './directory.ts';
import type { Origin } from './outbox-item.ts';
import type { PasswordPolicy, PasswordRefusal } from './password-policy.ts';
import { checkPassword } from './password-policy.ts';
import type { Clock, FailureLimiter } from './ports.ts';
import { newId, sameDigest, sha256 } from './secrets.ts';
import type { CoreSettings } from './settings.ts';
import type { ResetToken, TokenStore } from './store.ts';

export interface CompleteResetDeps {
  store: Pick<TokenStore, 'findResetToken' | 'holdResetToken' | 'releaseResetToken' | 'completeReset'>;
  directory: Pick<Directory, 'setPassword'>;
  clock: Clock;
  passwords: PasswordPolicy;
  failures: FailureLimiter;
  settings: Pick<CoreSettings, 'webhook'>;
  /** How long one completion may hold a token while the directory sets the password. */
  holdMs?: number;
  /** How long a completion waits for another one holding the same token before it says "try again". */
  holdWaitMs?: number;
  wake?: () => void;
}

/** Why a token cannot be used. The reset page shows one message for all three. */
export type TokenProblem = 'unknown' | 'expired' | 'used';

export type TokenCheck =
  | { kind: 'valid'; token: ResetToken; account: ResetToken['account'] }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: TokenProblem; origin: Origin | null };

export type CompleteResetOutcome =
  /** `account`: whose password was set, as the token recorded it (a product may answer with the user). */
  | { kind: 'done'; origin: Origin; account: ResetToken['account'] }
  | ({ kind: 'weak'; origin: Origin } & PasswordRefusal)
  /** The application refused the password; its reasons are shown, and the link still works. */
  | { kind: 'refused'; reasons: string[]; origin: Origin }
  /** The application could not take the password now (or another completion is under way): try again in a moment. */
  | { kind: 'unavailable'; origin: Origin; retryAfterSeconds: number }
  | Exclude<TokenCheck, { kind: 'valid' }>;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const DEFAULT_HOLD_MS = 60_000;
const DEFAULT_HOLD_WAIT_MS = 10_000;
const HOLD_POLL_MS = 50;
/** What "try again in a moment" means, in seconds. */
export const RETRY_SOON_SECONDS = 5;

/**
 * Looks a token up (by its SHA-256, then compared in constant time) without spending it:
 * opening the page, or a mail scanner fetching the link, changes nothing. `accountId`, when
 * given (Cloudreve's links carry it), must be the token's account. The account is the one
 * the directory named when the mail was sent, so checking a link never calls the directory.
 *
 * Only an unknown token counts as a failure of the client's address, and only after the
 * lookup: a real link (valid, expired or used) is always answered as what it is, however
 * many guesses its neighbours behind the same address made. Past the allowance an unknown
 * token is answered 'rate-limited', after a penalty delay, instead of 'unknown'. Tokens are
 * 256-bit random, so this slows and signals guessing; the token space needs no protection.
 */
export async function checkResetToken(
  deps: Pick<CompleteResetDeps, 'clock' | 'failures'> & { store: Pick<TokenStore, 'findResetToken'> },
  token: string,
  clientIp: string | null,
  accountId?: string,
): Promise<TokenCheck> {
  const found = await findProblem();
  if (found.kind !== 'unknown') return found;
  const wait = await deps.failures.fail(clientIp ?? 'unknown');
  return wait > 0 ? { kind: 'rate-limited', retryAfterSeconds: wait } : found;

  async function findProblem(): Promise<TokenCheck> {
    if (!TOKEN_SHAPE.test(token)) return { kind: 'unknown', origin: null };
    const hash = sha256(token);
    const found = await deps.store.findResetToken(hash);
    if (!found || !sameDigest(found.hash, hash) || (accountId !== undefined && found.account.id !== accountId)) {
      return { kind: 'unknown', origin: null };
    }
    if (found.usedAt || found.revokedAt) return { kind: 'used', origin: found.origin };
    if (found.expiresAt.getTime() <= deps.clock.now().getTime()) return { kind: 'expired', origin: found.origin };
    return { kind: 'valid', token: found, account: found.account };
  }
}

/**
 * Sets a new password with a token. The directory writes it where the application keeps
 * it; only after it said done is the token spent, every other outstanding token of the
 * account revoked and the "password changed" notice (and the webhook) queued, in one
 * transaction. The token is held meanwhile, so two completions racing with one token
 * cannot both change the password. Refused or unavailable: the hold is let go and the link
 * still works. No session is created: the person signs in with the new password.
 */
export async function completeReset(
  deps: CompleteResetDeps,
  command: { token: string; password: string; clientIp: string | null; accountId?: string },
): Promise<CompleteResetOutcome> {
  const check = await checkResetToken(deps, command.token, command.clientIp, command.accountId);
  if (check.kind !== 'valid') return check;
  const { token, account } = check;
  const origin = token.origin;
  const refusal = checkPassword(deps.passwords, command.password, account.email);
  if (refusal) return { kind: 'weak', ...refusal, origin };

  const now = deps.clock.now();
  const heldUntil = new Date(now.getTime() + (deps.holdMs ?? DEFAULT_HOLD_MS));
  const hold = await holdToken(deps, token.hash, now, heldUntil);
  if (hold === 'spent') return { kind: 'used', origin };
  if (hold === 'busy') return { kind: 'unavailable', origin, retryAfterSeconds: RETRY_SOON_SECONDS };

  const result = await deps.directory.setPassword({ ...account, disabled: false }, command.password.normalize('NFC'));
  if (result.kind !== 'done') {
    await deps.store.releaseResetToken(token.hash, heldUntil);
    return result.kind === 'refused'
      ? { kind: 'refused', reasons: result.reasons, origin }
      : { kind: 'unavailable', origin, retryAfterSeconds: RETRY_SOON_SECONDS };
  }

  const at = deps.clock.now();
  const outbox = [outboxItem('password_changed', token, command.clientIp, at, JSON.stringify(noticeOf(account)))];
  if (deps.settings.webhook) {
    const body = { event: 'password.changed', userId: account.id, email: account.email, changedAt: at.toISOString() };
    outbox.push(outboxItem('webhook', token, command.clientIp, at, JSON.stringify(body)));
  }
  const written = await deps.store.completeReset({ tokenHash: token.hash, heldUntil, accountId: account.id, at, outbox });
  // 'lost': this completion's hold ran out while the directory worked and another took over;
  // the password is set either way, and that other completion records it.
  if (written === 'lost') return { kind: 'used', origin };
  deps.wake?.();
  return { kind: 'done', origin, account };
}

/**
 * Takes the hold, waiting a while for another completion that holds it (a double submit):
 * when that one is done this one is told the link is used, and when it was refused this
 * one gets its own try. Only a hold that stays taken answers 'busy'.
 */
async function holdToken(deps: CompleteResetDeps, hash: string, now: Date, heldUntil: Date): Promise<'held' | 'busy' | 'spent'> {
  const waitUntil = now.getTime() + (deps.holdWaitMs ?? DEFAULT_HOLD_WAIT_MS);
  for (;;) {
    const hold = await deps.store.holdResetToken(hash, deps.clock.now(), heldUntil);
    if (hold !== 'busy' || deps.clock.now().getTime() >= waitUntil) return hold;
    await new Promise((resolve) => setTimeout(resolve, HOLD_POLL_MS));
  }
}

/** Who the "password changed" notice goes to: the account as it was when the mail was sent. */
export type NoticeRecipient = Pick<Account, 'email' | 'name' | 'locale'>;

function noticeOf(account: ResetToken['account']): NoticeRecipient {
  return { email: account.email, name: account.name, locale: account.locale };
}

function outboxItem(kind: 'password_changed' | 'webhook', token: ResetToken, clientIp: string | null, at: Date, payload: string) {
  return { id: newId(kind === 'webhook' ? 'wh' : 'pc'), kind, origin: token.origin, identifier: token.account.id, clientIp, createdAt: at, payload };
}
