import { checkEmail } from './email-address.ts';
import type { OutboxItem } from './outbox-item.ts';
import type { Clock, Mailer, MailThrottle, Store, User, WebhookSender } from './ports.ts';
import { DeliveryError } from './ports.ts';
import { resetLink } from './reset-link.ts';
import { newSecret, sha256 } from './secrets.ts';
import type { CoreSettings } from './settings.ts';

export interface DeliverDeps {
  store: Store;
  mailer: Mailer;
  webhook: WebhookSender | null;
  throttle: MailThrottle;
  clock: Clock;
  settings: CoreSettings;
  /** Jitter source in [0, 1); injected so retry schedules can be tested. */
  random?: () => number;
}

export type DeliverOutcome =
  | { kind: 'sent' }
  | { kind: 'no_account' }
  | { kind: 'throttled' }
  | { kind: 'retry'; at: Date; error: string }
  | { kind: 'dead'; error: string };

/** The worker's half: deliver one outbox item, and record what happened. */
export async function deliverOutboxItem(deps: DeliverDeps, item: OutboxItem): Promise<DeliverOutcome> {
  try {
    const delivered = await DELIVERERS[item.kind](deps, item);
    await deps.store.finishOutboxItem(item, delivered, deps.clock.now());
    return { kind: delivered };
  } catch (error) {
    return giveBack(deps, item, error);
  }
}

type Deliverer = (deps: DeliverDeps, item: OutboxItem) => Promise<'sent' | 'no_account' | 'throttled'>;

const DELIVERERS: Record<OutboxItem['kind'], Deliverer> = {
  /**
   * Find the account, mint a token (only its hash is kept), send the one mail. A fresh
   * token per attempt means a retried send never needs the secret of an earlier one; the
   * store keeps only the newest token of a user usable.
   */
  async reset(deps, item) {
    const user = await findAccount(deps.store, item.identifier);
    // A disabled account ends like an unknown one: no mail, and the same answer was given.
    if (!user || user.disabled) return 'no_account';
    // Decided once per request, keyed by the account (case variants share one allowance);
    // retries of the same request, and mail the operator put back, are not counted again.
    const firstTry = item.attempts === 1 && item.operatorRetries === 0;
    if (firstTry && !(await deps.throttle.take(user.id))) return 'throttled';
    const token = newSecret();
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + deps.settings.tokenTtlSeconds * 1000);
    await deps.store.addResetToken({ hash: sha256(token), requestId: item.id, userId: user.id, origin: item.origin, createdAt: now, expiresAt });
    await deps.mailer.sendResetMail({
      requestId: item.id,
      to: user.email,
      name: user.name,
      locale: user.locale,
      origin: item.origin,
      link: resetLink(deps.settings, item.origin, token, user.id),
      expiresAt,
      requestedAt: item.createdAt,
      requestedFrom: item.clientIp,
    });
    return 'sent';
  },

  async password_changed(deps, item) {
    const user = await deps.store.findUserById(item.identifier);
    if (!user) return 'no_account';
    await deps.mailer.sendPasswordChangedMail({
      requestId: item.id,
      to: user.email,
      name: user.name,
      locale: user.locale,
      origin: item.origin,
      changedAt: item.createdAt,
      changedFrom: item.clientIp,
    });
    return 'sent';
  },

  async webhook(deps, item) {
    if (!deps.webhook || item.payload === null) throw new DeliveryError('no webhook is configured', false);
    await deps.webhook.send(item.payload);
    return 'sent';
  },
};

function findAccount(store: Store, identifier: string): Promise<User | undefined> {
  const email = checkEmail(identifier);
  return email.ok ? store.findUserByEmailKey(email.key) : store.findUserByIdOrName(identifier);
}

async function giveBack(deps: DeliverDeps, item: OutboxItem, error: unknown): Promise<DeliverOutcome> {
  const message = error instanceof Error ? error.message : String(error);
  const transient = !(error instanceof DeliveryError) || error.transient;
  if (!transient || item.attempts >= deps.settings.mailMaxAttempts) {
    await deps.store.failOutboxItem(item, message, null);
    return { kind: 'dead', error: message };
  }
  const at = new Date(deps.clock.now().getTime() + retryDelay(deps, item.attempts));
  await deps.store.failOutboxItem(item, message, at);
  return { kind: 'retry', at, error: message };
}

/** Exponential backoff, capped at an hour, with jitter over its upper half. */
function retryDelay(deps: DeliverDeps, attempts: number): number {
  const ceiling = Math.min(deps.settings.mailRetryBaseMs * 2 ** (attempts - 1), 3_600_000);
  const random = deps.random ?? Math.random;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
