import { checkEmail } from './email-address.ts';
import type { Clock, Mailer, Store, User } from './ports.ts';
import { MailError } from './ports.ts';
import type { ResetRequest } from './reset-request.ts';
import { newSecret, sha256 } from './secrets.ts';
import type { CoreSettings } from './settings.ts';

export interface DeliverResetDeps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  settings: CoreSettings;
  /** Jitter source in [0, 1); injected so retry schedules can be tested. */
  random?: () => number;
}

export type DeliverResetOutcome =
  | { kind: 'sent' }
  | { kind: 'no_account' }
  | { kind: 'retry'; at: Date; error: string }
  | { kind: 'dead'; error: string };

/**
 * The worker's half of a reset: find the account, mint a token (only its hash is kept),
 * and send the one mail. A fresh token per attempt means a retried send never needs the
 * secret of an earlier one; the store keeps only the newest token of a user usable.
 */
export async function deliverReset(
  deps: DeliverResetDeps,
  request: ResetRequest,
): Promise<DeliverResetOutcome> {
  const user = await findAccount(deps.store, request.identifier);
  if (!user) {
    await deps.store.finishResetRequest(request.id, 'no_account', deps.clock.now());
    return { kind: 'no_account' };
  }
  const token = newSecret();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.settings.tokenTtlSeconds * 1000);
  await deps.store.addResetToken({
    hash: sha256(token),
    requestId: request.id,
    userId: user.id,
    createdAt: now,
    expiresAt,
  });
  try {
    await deps.mailer.sendResetMail({
      requestId: request.id,
      to: user.email,
      name: user.name,
      locale: user.locale,
      dialect: request.dialect,
      link: resetLink(deps.settings.publicUrl, token),
      expiresAt,
      requestedAt: request.createdAt,
      requestedFrom: request.clientIp,
    });
  } catch (error) {
    return giveBack(deps, request, error);
  }
  await deps.store.finishResetRequest(request.id, 'sent', deps.clock.now());
  return { kind: 'sent' };
}

function findAccount(store: Store, identifier: string): Promise<User | undefined> {
  const email = checkEmail(identifier);
  return email.ok ? store.findUserByEmailKey(email.key) : store.findUserByIdOrName(identifier);
}

/** The link in the mail: always the configured public URL, never a request's Host. */
export function resetLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reset?token=${token}`;
}

async function giveBack(
  deps: DeliverResetDeps,
  request: ResetRequest,
  error: unknown,
): Promise<DeliverResetOutcome> {
  const message = error instanceof Error ? error.message : String(error);
  const transient = !(error instanceof MailError) || error.transient;
  if (!transient || request.attempts >= deps.settings.mailMaxAttempts) {
    await deps.store.failResetRequest(request.id, message, null);
    return { kind: 'dead', error: message };
  }
  const at = new Date(deps.clock.now().getTime() + retryDelay(deps, request.attempts));
  await deps.store.failResetRequest(request.id, message, at);
  return { kind: 'retry', at, error: message };
}

/** Exponential backoff, capped at an hour, with jitter over its upper half. */
function retryDelay(deps: DeliverResetDeps, attempts: number): number {
  const ceiling = Math.min(deps.settings.mailRetryBaseMs * 2 ** (attempts - 1), 3_600_000);
  const random = deps.random ?? Math.random;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
