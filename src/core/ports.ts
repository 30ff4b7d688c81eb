import type { DialectName } from './dialects.ts';
import type { NewOutboxItem, Origin, OutboxItem, OutboxKind, OutboxState } from './outbox-item.ts';

/**
 * What the core needs from the outside world. Each port names the security or reliability
 * promise it carries; src/main.ts wires the real implementations.
 */

export interface User {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
  /** A disabled (banned, unverified) account: it gets no reset mail, and nobody can tell. */
  disabled: boolean;
}

export interface NewUser extends User {
  /** NFC + case-folded email; unique, so one mailbox is one account. */
  emailKey: string;
  passwordHash: string | null;
  createdAt: Date;
}

export interface ApiKey {
  id: string;
  dialect: DialectName;
  /** SHA-256 of the key: the key itself is shown once and never stored. */
  keyHash: string;
}

export interface NewResetToken {
  /** SHA-256 of the token: the token exists only in the mail. */
  hash: string;
  requestId: string;
  userId: string;
  /** Where the request came from; the completion answers in its words. */
  origin: Origin;
  createdAt: Date;
  expiresAt: Date;
}

export interface ResetToken extends NewResetToken {
  usedAt: Date | null;
  revokedAt: Date | null;
}

/** One completed reset, written at once or not at all. */
export interface CompletedReset {
  tokenHash: string;
  userId: string;
  passwordHash: string;
  at: Date;
  /** The notice and the webhook, delivered by the worker. */
  outbox: NewOutboxItem[];
}

/** Durable state. Every write the request path answers 2xx for is committed before the answer. */
export interface Store {
  /** The request path's one write: a pending reset item. */
  addResetRequest(item: NewOutboxItem): Promise<void>;
  /** Claims due work for one worker: pending items and those whose lease ran out. */
  claimOutbox(now: Date, leaseUntil: Date, limit: number): Promise<OutboxItem[]>;
  /**
   * Records a delivery's outcome. `claim` fences it: only the worker holding the current
   * claim (same id and attempt) can record, so one whose lease ran out cannot overwrite
   * the worker that took the item over.
   */
  finishOutboxItem(claim: OutboxClaim, state: 'sent' | 'no_account' | 'throttled', at: Date): Promise<void>;
  /** Gives a failed attempt back: due again at `retryAt`, or dead when `retryAt` is null. */
  failOutboxItem(claim: OutboxClaim, error: string, retryAt: Date | null): Promise<void>;
  /** Dead-lettered items, oldest first, for the operator. */
  listDeadOutboxItems(limit: number): Promise<DeadOutboxItem[]>;
  /** Puts dead items (these ids, or all when `ids` is null) back in the queue, due `now`. */
  retryDeadOutboxItems(ids: readonly string[] | null, now: Date): Promise<number>;
  /** Counts by state, and delivery latencies of mail sent since `since` (newest 10,000). */
  outboxCounts(since: Date): Promise<OutboxCounts>;

  addUser(user: NewUser): Promise<'added' | 'exists'>;
  findUserByEmailKey(emailKey: string): Promise<User | undefined>;
  /** For maiascore's `id`: an account's id, or its name compared case-insensitively. */
  findUserByIdOrName(idOrName: string): Promise<User | undefined>;
  findUserById(id: string): Promise<User | undefined>;

  /** Stores a token and revokes the user's older unused tokens: only the newest link works. */
  addResetToken(token: NewResetToken): Promise<void>;
  findResetToken(hash: string): Promise<ResetToken | undefined>;
  /**
   * Spends the token and sets the password, revokes the user's other tokens and queues the
   * outbox items, in one transaction; 'spent' when the token was no longer usable at `at`
   * (used, revoked or expired: a racing completion got there first).
   */
  completeReset(reset: CompletedReset): Promise<'done' | 'spent'>;

  addApiKey(key: ApiKey & { createdAt: Date }): Promise<void>;
  /** Live and revoked keys, without their hashes. */
  listApiKeys(): Promise<{ id: string; dialect: DialectName; createdAt: Date; revokedAt: Date | null }[]>;
  /** 'revoked', or 'unknown' when there is no live key with this id. */
  revokeApiKey(id: string, at: Date): Promise<'revoked' | 'unknown'>;
  findApiKeyByHash(keyHash: string): Promise<ApiKey | undefined>;

  /** Keeps a CAPTCHA ticket's answer until it expires (and forgets expired ones). */
  addCaptchaTicket(ticket: { hash: string; answer: string; expiresAt: Date }, now: Date): Promise<void>;
  /** Removes and returns a ticket: each works once, whether the answer was right or not. */
  takeCaptchaTicket(hash: string): Promise<{ answer: string; expiresAt: Date } | undefined>;

  /** Throws when the store cannot answer (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Which claim of an outbox item a worker holds. */
export type OutboxClaim = Pick<OutboxItem, 'id' | 'attempts'>;

export interface DeadOutboxItem {
  id: string;
  kind: OutboxKind;
  origin: Origin;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

export interface OutboxCounts {
  byState: Record<OutboxState, number>;
  /** Requests that needed more than one attempt. */
  retried: number;
  /** Milliseconds from acceptance to the SMTP server's acceptance, for recent sent mail. */
  latenciesMs: number[];
}

/** The reset mail for one user and one link; src/mail owns wording and transport. */
export interface ResetMail {
  /** The reset request this mail answers: its Message-ID derives from it, so a resend is recognisable. */
  requestId: string;
  to: string;
  name: string | null;
  locale: string | null;
  origin: Origin;
  link: string;
  expiresAt: Date;
  requestedAt: Date;
  requestedFrom: string | null;
}

/** The notice that a password was changed, so an owner who did not do it can act. */
export interface PasswordChangedMail {
  /** The outbox item this mail answers: its Message-ID derives from it. */
  requestId: string;
  to: string;
  name: string | null;
  locale: string | null;
  origin: Origin;
  changedAt: Date;
  changedFrom: string | null;
}

/** Sends mail. Throws on failure; the error says whether a retry can help. */
export interface Mailer {
  sendResetMail(mail: ResetMail): Promise<void>;
  sendPasswordChangedMail(mail: PasswordChangedMail): Promise<void>;
}

/** Tells the host application that a user's password changed (HMAC-signed POST). */
export interface WebhookSender {
  send(body: string): Promise<void>;
}

/** A failed delivery (mail or webhook); `transient` says whether a retry can help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** false for a permanent refusal (5xx): retrying cannot help. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Hashes passwords (argon2id) off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
}

/** Passwords attackers try first (a list of common and breached ones), compared case-insensitively. */
export interface CommonPasswords {
  has(password: string): boolean;
}

/**
 * Caps the reset mails one account receives. Over the cap a request is still accepted (the
 * requester cannot tell) but no mail goes out, so nobody can flood an inbox.
 */
export interface MailThrottle {
  /** Takes one mail from `account`'s allowance; false when none is left. */
  take(account: string): Promise<boolean>;
}

/** Counts failures per key (a client IP) to slow down token guessing. */
export interface FailureLimiter {
  /** Seconds until `key` may try again, or 0 when it may try now. */
  blockedFor(key: string): Promise<number>;
  recordFailure(key: string): Promise<void>;
}

/** Draws CAPTCHA images locally: an image a person can read, and its answer. */
export interface CaptchaImages {
  create(): { image: string; answer: string };
}

/** Time, injected so tests can move it. */
export interface Clock {
  now(): Date;
}
