import type { NoticeRecipient } from './complete-reset.ts';
import type { Directory } from './directory.ts';
import { DirectoryError } from './directory.ts';
import { checkEmail, emailKey } from './email-address.ts';
import type { OutboxItem } from './outbox-item.ts';
import type { Clock, Mailer, MailThrottle, WebhookSender } from './ports.ts';
import { DeliveryError } from './ports.ts';
import { resetLink } from './reset-link.ts';
import { newSecret, sha256 } from './secrets.ts';
import type { CoreSettings } from './settings.ts';
import type { OutboxStore, TokenStore } from './store.ts';

export interface DeliverDeps {
  store: Pick<OutboxStore, 'finishOutboxItem' | 'failOutboxItem'> & Pick<TokenStore, 'addResetToken'>;
  directory: Pick<Directory, 'find'>;
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
  /** `ambiguous`: that many accounts answer to the identifier, so none was mailed. */
  | { kind: 'no_account'; ambiguous?: number }
  | { kind: 'throttled' }
  | { kind: 'retry'; at: Date; error: string }
  | { kind: 'dead'; error: string };

/** The worker's half: deliver one outbox item, and record what happened. */
export async function deliverOutboxItem(deps: DeliverDeps, item: OutboxItem): Promise<DeliverOutcome> {
  let delivered: Awaited<ReturnType<Deliverer>>;
  try {
    delivered = await DELIVERERS[item.kind](deps, item);
  } catch (error) {
    return giveBack(deps, item, error);
  }
  const state = typeof delivered === 'string' ? delivered : 'no_account';
  await recordFinished(deps, item, state);
  return typeof delivered === 'string' ? { kind: delivered } : { kind: 'no_account', ambiguous: delivered.ambiguous };
}

/** Tries to record a finished item; the pauses between tries, in ms. */
const RECORD_PAUSES_MS = [50, 200, 1_000, 3_000];

/**
 * The mail is out (or needs none): failing to record that must never schedule a resend, as
 * handing the item back would. A connection the database ended is replaced by the pool, so
 * the record is tried again a few times. If the store stays down, the error goes to the
 * worker and the item stays claimed: only when its lease runs out is it sent again.
 * A finished reset request needs neither the address asked for nor the client IP any more;
 * kept, with the row's state, they would list who asked and which addresses are accounts.
 */
async function recordFinished(deps: DeliverDeps, item: OutboxItem, state: 'sent' | 'no_account' | 'throttled'): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.store.finishOutboxItem(item, state, deps.clock.now(), { forgetRequester: item.kind === 'reset' });
      return;
    } catch (error) {
      const pause = RECORD_PAUSES_MS[attempt];
      if (pause === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

type Deliverer = (deps: DeliverDeps, item: OutboxItem) => Promise<'sent' | 'no_account' | 'throttled' | { ambiguous: number }>;

const DELIVERERS: Record<OutboxItem['kind'], Deliverer> = {
  /**
   * Ask the directory whose account this is, mint a token (only its hash is kept), send
   * the one mail. A directory that cannot answer throws: the item is retried with backoff.
   * A fresh token per attempt means a retried send never needs the secret of an earlier
   * one; the store keeps only the newest token of an account usable.
   */
  async reset(deps, item) {
    const found = await deps.directory.find(item.identifier);
    if (found.kind === 'ambiguous') return { ambiguous: found.matches };
    // A disabled account ends like an unknown one: no mail, and the same answer was given.
    if (found.kind === 'none' || found.account.disabled) return 'no_account';
    const user = found.account;
    // Mail goes only to the address that was asked for, whatever the directory answered.
    const asked = checkEmail(item.identifier);
    if (asked.ok && emailKey(user.email) !== asked.key) {
      throw new DirectoryError(`the directory answered with account ${user.id}, whose address is not the one asked for`);
    }
    if (!checkEmail(user.email).ok) throw new DirectoryError(`account ${user.id} has no valid email address`);
    // Decided once per request, keyed by the account (case variants share one allowance);
    // retries of the same request, and mail the operator put back, are not counted again.
    const firstTry = item.attempts === 1 && item.operatorRetries === 0;
    if (firstTry && !(await deps.throttle.take(user.id))) return 'throttled';
    const token = newSecret();
    const hash = sha256(token);
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + deps.settings.tokenTtlSeconds * 1000);
    const account = { id: user.id, email: user.email, name: user.name, locale: user.locale };
    await deps.store.addResetToken({ hash, requestId: item.id, account, origin: item.origin, createdAt: now, expiresAt });
    await deps.mailer.sendResetMail({
      requestId: item.id,
      // From the stored hash (hashed again: the header shows no lookup key), never the token.
      messageKey: `${item.id}.${sha256(hash).slice(0, 16)}`,
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

  /** To the address the account had when its reset mail went out (kept in the item). */
  async password_changed(deps, item) {
    if (item.payload === null) throw new DeliveryError('the notice has no recipient', false);
    const user = JSON.parse(item.payload) as NoticeRecipient;
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
