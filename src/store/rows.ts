import type { OutboxItem } from '../core/outbox-item.ts';
import type { Account } from '../core/directory.ts';
import type { DeadOutboxItem, ResetToken, UserRecord } from '../core/store.ts';

/** Rows as both stores return them (snake_case columns, times in milliseconds). */
export interface ItemRow {
  id: string;
  kind: OutboxItem['kind'];
  origin: OutboxItem['origin'];
  identifier: string;
  client_ip: string | null;
  created_at: number;
  payload: string | null;
  state: OutboxItem['state'];
  attempts: number;
  operator_retries: number;
}

export interface TokenRow {
  hash: string;
  request_id: string;
  account_id: string;
  account_email: string;
  account_name: string | null;
  account_locale: string | null;
  origin: ResetToken['origin'];
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

export type DeadItemRow = Pick<ItemRow, 'id' | 'kind' | 'origin' | 'created_at' | 'attempts'> & { last_error: string | null };

export const USER_COLUMNS = 'id, email, name, locale, disabled';

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  disabled: number | boolean;
}

/**
 * Revokes an account's unused reset tokens: after a newer link, a reset, or a change of the
 * account (email, password, disabled). Placeholders in the store's own SQL dialect.
 */
export function revokeUnusedTokensSql(at: string, account: string): string {
  return `UPDATE reset_tokens SET revoked_at = ${at} WHERE account_id = ${account} AND used_at IS NULL AND revoked_at IS NULL`;
}

export const TOKEN_COLUMNS = 'hash, request_id, account_id, account_email, account_name, account_locale, origin, created_at, expires_at, used_at, revoked_at';

export function toUser(row: UserRow | undefined): Account | undefined {
  return row && { id: row.id, email: row.email, name: row.name, locale: row.locale, disabled: Boolean(row.disabled) };
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The operator's view of a user: the account, whether it has a password, and when. */
export const USER_RECORD_COLUMNS = `${USER_COLUMNS}, email_key, password_hash IS NOT NULL AS has_password, created_at, password_changed_at`;

export interface UserRecordRow extends UserRow {
  email_key: string;
  has_password: number | boolean;
  created_at: number;
  password_changed_at: number | null;
}

export function toUserRecord(row: UserRecordRow): UserRecord & { emailKey: string } {
  return {
    ...toUser(row)!,
    emailKey: row.email_key,
    hasPassword: Boolean(row.has_password),
    createdAt: new Date(row.created_at),
    passwordChangedAt: date(row.password_changed_at),
  };
}

export function toOutboxItem(row: ItemRow): OutboxItem {
  return {
    id: row.id,
    kind: row.kind,
    origin: row.origin,
    identifier: row.identifier,
    clientIp: row.client_ip,
    createdAt: new Date(row.created_at),
    payload: row.payload,
    state: row.state,
    attempts: row.attempts,
    operatorRetries: row.operator_retries,
  };
}

export function toResetToken(row: TokenRow): ResetToken {
  return {
    hash: row.hash,
    requestId: row.request_id,
    account: { id: row.account_id, email: row.account_email, name: row.account_name, locale: row.account_locale },
    origin: row.origin,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: date(row.used_at),
    revokedAt: date(row.revoked_at),
  };
}

export function toDeadItem(row: DeadItemRow): DeadOutboxItem {
  return { id: row.id, kind: row.kind, origin: row.origin, createdAt: new Date(row.created_at), attempts: row.attempts, lastError: row.last_error };
}

export function toApiKeyListing(row: { id: string; dialect: ResetToken['origin']; created_at: number; revoked_at: number | null }) {
  return { id: row.id, dialect: row.dialect, createdAt: new Date(row.created_at), revokedAt: date(row.revoked_at) };
}

/** The outbox counters' shape with every state at zero. */
export function emptyStateCounts(): Record<OutboxItem['state'], number> {
  return { pending: 0, sending: 0, sent: 0, no_account: 0, throttled: 0, dead: 0 };
}
