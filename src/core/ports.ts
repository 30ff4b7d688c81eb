import type { DialectName } from './dialects.ts';
import type { NewResetRequest, ResetRequest, ResetRequestState } from './reset-request.ts';

/**
 * What the core needs from the outside world. Each port names the security or reliability
 * promise it carries; src/main.ts wires the real implementations.
 */

export interface User {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
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
  createdAt: Date;
  expiresAt: Date;
}

/** Durable state. Every write the request path answers 2xx for is committed before the answer. */
export interface Store {
  addResetRequest(request: NewResetRequest): Promise<void>;
  /** Claims due work for one worker: pending requests and those whose lease ran out. */
  claimResetRequests(now: Date, leaseUntil: Date, limit: number): Promise<ResetRequest[]>;
  finishResetRequest(id: string, state: 'sent' | 'no_account', at: Date): Promise<void>;
  /** Gives a failed attempt back: due again at `retryAt`, or dead when `retryAt` is null. */
  failResetRequest(id: string, error: string, retryAt: Date | null): Promise<void>;
  /** Dead-lettered mail, oldest first, for the operator. */
  listDeadResetRequests(limit: number): Promise<DeadResetRequest[]>;
  /** Puts dead mail (these ids, or all when `ids` is null) back in the queue, due `now`. */
  retryDeadResetRequests(ids: readonly string[] | null, now: Date): Promise<number>;
  /** Counts by state, and delivery latencies of mail sent since `since` (newest 10,000). */
  outboxCounts(since: Date): Promise<OutboxCounts>;

  addUser(user: NewUser): Promise<'added' | 'exists'>;
  findUserByEmailKey(emailKey: string): Promise<User | undefined>;
  /** For maiascore's `id`: an account's id, or its name compared case-insensitively. */
  findUserByIdOrName(idOrName: string): Promise<User | undefined>;

  /** Stores a token and revokes the user's older unused tokens: only the newest link works. */
  addResetToken(token: NewResetToken): Promise<void>;

  addApiKey(key: ApiKey & { createdAt: Date }): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKey | undefined>;

  /** Throws when the store cannot answer (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DeadResetRequest {
  id: string;
  dialect: DialectName;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

export interface OutboxCounts {
  byState: Record<ResetRequestState, number>;
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
  dialect: DialectName;
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
  dialect: DialectName;
  changedAt: Date;
  changedFrom: string | null;
}

/** Sends mail. Throws on failure; the error says whether a retry can help. */
export interface Mailer {
  sendResetMail(mail: ResetMail): Promise<void>;
  sendPasswordChangedMail(mail: PasswordChangedMail): Promise<void>;
}

export class MailError extends Error {
  constructor(
    message: string,
    /** false for a permanent refusal (5xx): retrying cannot help. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

/** Hashes passwords (argon2id) off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
}

/** Time, injected so tests can move it. */
export interface Clock {
  now(): Date;
}
