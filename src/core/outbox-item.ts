import type { DialectName } from './dialects.ts';

/**
 * Where a request came from: one of the five dialects, or resetd's own reset page (its
 * "send me a new link" form). The origin picks the product name and sender of the mail.
 */
export type Origin = DialectName | 'resetd';

/** What an outbox item delivers. */
export type OutboxKind =
  | 'reset' // a reset request: find the account, mint a token, mail the link
  | 'password_changed' // the notice after a completed reset
  | 'webhook'; // tell the host application a password changed

/**
 * An outbox item moves through these states (diagram: outbox-states.md). The request path
 * only ever creates `pending` reset items; the worker does the rest, the same way for a
 * known and an unknown account until it has looked the account up.
 */
export type OutboxState =
  | 'pending' // committed, waiting for the worker
  | 'sending' // claimed by a worker until its lease runs out
  | 'sent' // delivered (SMTP or webhook accepted it)
  | 'no_account' // nobody has this address: nothing to send, by design
  | 'throttled' // the account had all the reset mail it may have for now: nothing sent, by design
  | 'dead'; // gave up after the retry limit, or refused for good; the operator can retry it

export interface NewOutboxItem {
  id: string;
  kind: OutboxKind;
  origin: Origin;
  /** reset: what the requester named the account by (email key, or an id or username); otherwise a user id. */
  identifier: string;
  clientIp: string | null;
  createdAt: Date;
  /** webhook: the JSON body to send. */
  payload: string | null;
}

export interface OutboxItem extends NewOutboxItem {
  state: OutboxState;
  /** How many times a worker has claimed it since it was queued (or last retried by the operator). */
  attempts: number;
  /** How many times the operator put it back after it died. */
  operatorRetries: number;
}
