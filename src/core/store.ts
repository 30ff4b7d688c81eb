import type { Account } from './directory.ts';
import type { KeyScope } from './api-keys.ts';
import type { NewOutboxItem, Origin, OutboxItem, OutboxKind, OutboxState } from './outbox-item.ts';

/**
 * resetd's own durable state, split by concern so each core function names only what it
 * uses. One implementation per database (src/store/sqlite, src/store/postgres) provides
 * them all. Every write the request path answers 2xx for is committed before the answer.
 */

/** The queue of deliveries: reset mail, the password-changed notice, the webhook. */
export interface OutboxStore {
  /** The request path's one write: a pending reset item. */
  addResetRequest(item: NewOutboxItem): Promise<void>;
  /** Claims due work for one worker: pending items and those whose lease ran out. */
  claimOutbox(now: Date, leaseUntil: Date, limit: number): Promise<OutboxItem[]>;
  /**
   * Records a delivery's outcome. `claim` fences it: only the worker holding the current
   * claim (same id and attempt) can record, so one whose lease ran out cannot overwrite
   * the worker that took the item over. `forgetRequester` empties the identifier and the
   * client IP in the same write.
   */
  finishOutboxItem(claim: OutboxClaim, state: 'sent' | 'no_account' | 'throttled', at: Date, options?: { forgetRequester?: boolean }): Promise<void>;
  /** Gives a failed attempt back: due again at `retryAt`, or dead when `retryAt` is null. */
  failOutboxItem(claim: OutboxClaim, error: string, retryAt: Date | null): Promise<void>;
  /** Dead-lettered items, oldest first, for the operator. */
  listDeadOutboxItems(limit: number): Promise<DeadOutboxItem[]>;
  /** Puts dead items (these ids, or all when `ids` is null) back in the queue, due `now`. */
  retryDeadOutboxItems(ids: readonly string[] | null, now: Date): Promise<number>;
  /** Counts by state, and delivery latencies of mail sent since `since` (newest 10,000). */
  outboxCounts(since: Date): Promise<OutboxCounts>;
  /**
   * The queue as a monitor sees it at `now`, read with the (state, due_at) index only, so a
   * scrape stays cheap however many finished rows are kept: see OutboxGauges.
   */
  outboxGauges(now: Date): Promise<OutboxGauges>;
}

/** Reset tokens: only their SHA-256 is kept; single use; only the newest of an account works. */
export interface TokenStore {
  /** Stores a token and revokes the account's older unused tokens: only the newest link works. */
  addResetToken(token: NewResetToken): Promise<void>;
  findResetToken(hash: string): Promise<ResetToken | undefined>;
  /**
   * Holds a usable token for one completion until `until`, while the directory sets the
   * password: a racing completion with the same token finds it 'busy'. 'spent' when the
   * token is used, revoked or expired at `now`.
   */
  holdResetToken(hash: string, now: Date, until: Date): Promise<'held' | 'busy' | 'spent'>;
  /** Lets go of a hold (the directory refused or was down): the link works again. */
  releaseResetToken(hash: string, heldUntil: Date): Promise<void>;
  /**
   * After the directory set the password: spends the held token, revokes the account's
   * other tokens and queues the outbox items, in one transaction. 'lost' when this
   * completion no longer holds the token (its hold ran out and another took it).
   */
  completeReset(reset: CompletedReset): Promise<'done' | 'lost'>;
}

/** resetd's own accounts, for the builtin directory (DIRECTORY=builtin). */
export interface UserStore {
  addUser(user: NewUser): Promise<'added' | 'exists'>;
  findUserByEmailKey(emailKey: string): Promise<Account | undefined>;
  /** For maiascore's `id`: the account with this id, else those whose name matches case-insensitively (at most `limit`). */
  findUsersByIdOrName(idOrName: string, limit: number): Promise<Account[]>;
  /** Sets the password hash of an enabled account; 'missing' when there is none with this id. */
  setUserPassword(id: string, passwordHash: string, at: Date): Promise<'done' | 'missing'>;
  /** The account and its stored password hash (null when it has none), for verify. */
  findUserPassword(emailKey: string): Promise<{ account: Account; passwordHash: string | null } | undefined>;
  /**
   * Rehash on login: replaces the hash with `newHash` only while it is still `verifiedHash`,
   * so a password set meanwhile (a reset) is never overwritten by the old one. 'changed' when
   * it no longer is (or the account is gone).
   */
  upgradeUserPasswordHash(id: string, verifiedHash: string, newHash: string): Promise<'upgraded' | 'changed'>;
}

/** The operator's view of resetd's own accounts (admin API and CLI). */
export interface UserAdminStore {
  /** Users in id order (the order they were added) after `after`, whose email key starts with `emailKeyPrefix`. */
  listUsers(query: { after: string | null; emailKeyPrefix: string | null; limit: number }): Promise<UserRecord[]>;
  getUser(id: string): Promise<UserRecord | undefined>;
  /**
   * Changes the fields given. Changing the email or disabling the account revokes its
   * unused reset tokens in the same transaction. 'exists' when another user has the email key.
   */
  updateUser(id: string, change: UserChange, at: Date): Promise<{ kind: 'updated'; user: UserRecord } | { kind: 'missing' } | { kind: 'exists' }>;
  /** The operator sets a password (enabled or not): the hash, and the account's unused tokens revoked. */
  replaceUserPassword(id: string, passwordHash: string, at: Date): Promise<'done' | 'missing'>;
  /**
   * Deletes the user and what resetd keeps about them, in one transaction: reset tokens,
   * outbox items to or about them (by id, or a reset asked by their email), and the
   * rate-limit counters named in `counterKeys`.
   */
  deleteUser(id: string, counterKeys: (user: UserRecord & { emailKey: string }) => string[]): Promise<'deleted' | 'missing'>;
}

/** A user as the operator sees it; never the hash. */
export interface UserRecord extends Account {
  hasPassword: boolean;
  createdAt: Date;
  passwordChangedAt: Date | null;
}

export interface UserChange {
  email?: { email: string; emailKey: string };
  name?: string | null;
  locale?: string | null;
  disabled?: boolean;
}

/**
 * Users brought in from a file and written out to one (`resetd users import|export`, the
 * admin import). Each `importUsers` call is one transaction: every row of it is in, or none.
 */
export interface UserImportStore {
  /**
   * Upserts by email key, one result per row in order: 'added', 'updated', or 'unchanged'
   * when the stored user already equals the row. A change of the address text, a hash
   * change or a disabling also revokes the account's unused reset tokens: a link mailed
   * to the old state must not work in the new one.
   */
  importUsers(rows: readonly ImportedUser[], at: Date): Promise<ImportRowResult[]>;
  /** At most `limit` users with an id after `after` (null: from the first), by id ascending. */
  exportUsers(after: string | null, limit: number): Promise<ExportedUser[]>;
}

export type ImportRowResult = 'added' | 'updated' | 'unchanged';

/** One row of an import, already checked. */
export interface ImportedUser {
  /** The id a new user gets; an existing user keeps its own. */
  id: string;
  /** NFC. */
  email: string;
  emailKey: string;
  name: string | null;
  locale: string | null;
  disabled: boolean;
  /** null keeps the stored hash (a new user gets none, and sets one through a reset). */
  passwordHash: string | null;
}

export interface ExportedUser {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
  disabled: boolean;
  passwordHash: string | null;
}

/** API keys, stored hashed, each scoped to one dialect. */
export interface ApiKeyStore {
  addApiKey(key: ApiKey & { createdAt: Date }): Promise<void>;
  /** Live and revoked keys, without their hashes. */
  listApiKeys(): Promise<{ id: string; dialect: KeyScope; createdAt: Date; revokedAt: Date | null }[]>;
  /** 'revoked', or 'unknown' when there is no live key with this id. */
  revokeApiKey(id: string, at: Date): Promise<'revoked' | 'unknown'>;
  findApiKeyByHash(keyHash: string): Promise<ApiKey | undefined>;
}

/** CAPTCHA tickets: each answer works once. */
export interface CaptchaStore {
  /** Keeps a CAPTCHA ticket's answer until it expires (and forgets expired ones). */
  addCaptchaTicket(ticket: { hash: string; answer: string; expiresAt: Date }, now: Date): Promise<void>;
  /** Removes and returns a ticket: each works once, whether the answer was right or not. */
  takeCaptchaTicket(hash: string): Promise<{ answer: string; expiresAt: Date } | undefined>;
}

/** Forgetting what resetd no longer needs, after RETENTION_DAYS (what is old: outbox-retention.ts). */
export interface RetentionStore {
  /**
   * One bounded batch, at most `limit` rows of each kind: deletes finished outbox items
   * (sent, no_account, throttled, dead) created before `before` and tokens that expired
   * before it, and clears the client IP of unfinished items created before it. Call again
   * while a count reaches `limit`.
   */
  forgetOlderThan(before: Date, limit: number): Promise<ForgottenRecords>;
  /**
   * Deletes at most `limit` rate-limit counters whose window ended before `now`. They are
   * keyed by client IP and account, so they go as soon as they count nothing, not after
   * RETENTION_DAYS. Returns how many were deleted.
   */
  forgetExpiredCounters(now: Date, limit: number): Promise<number>;
}

export interface ForgottenRecords {
  outboxItems: number;
  tokens: number;
  clientIps: number;
}

/** The whole store, as src/main.ts opens it. */
export interface Store extends OutboxStore, TokenStore, UserStore, UserAdminStore, UserImportStore, ApiKeyStore, CaptchaStore, RetentionStore {
  /** Throws when the store cannot answer (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface NewUser extends Account {
  /** NFC + case-folded email; unique, so one mailbox is one account. */
  emailKey: string;
  passwordHash: string | null;
  createdAt: Date;
}

export interface ApiKey {
  id: string;
  /** A dialect, or `resetd` for resetd's own verify. */
  dialect: KeyScope;
  /** SHA-256 of the key: the key itself is shown once and never stored. */
  keyHash: string;
}

export interface NewResetToken {
  /** SHA-256 of the token: the token exists only in the mail. */
  hash: string;
  requestId: string;
  /** The account as the directory reported it when the mail was sent; its id keys the token. */
  account: Pick<Account, 'id' | 'email' | 'name' | 'locale'>;
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
  /** The hold this completion took (holdResetToken's `until`): it fences the write. */
  heldUntil: Date;
  accountId: string;
  at: Date;
  /** The notice and the webhook, delivered by the worker. */
  outbox: NewOutboxItem[];
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

export interface OutboxGauges {
  /** Items waiting (new, or due again for a retry), being sent, and given up on. */
  byState: Record<'pending' | 'sending' | 'dead', number>;
  /**
   * When the item that has waited longest for a worker became due: the oldest due pending
   * item, or a claim whose lease ran out (its worker died). null when nothing is due.
   */
  oldestDueAt: Date | null;
}

export interface OutboxCounts {
  byState: Record<OutboxState, number>;
  /** Requests that needed more than one attempt. */
  retried: number;
  /** Milliseconds from acceptance to the SMTP server's acceptance, for recent sent mail. */
  latenciesMs: number[];
}
