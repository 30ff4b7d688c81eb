import { sha256 } from '../core/secrets.ts';
import type { Logger } from './logger.ts';

/** What an operator did, through the admin API or the CLI. */
export type AuditAction = 'user.add' | 'user.update' | 'user.set_password' | 'user.delete' | 'users.import' | 'users.export' | 'api_key.create' | 'api_key.revoke';

/**
 * One audit line per admin action: who did it, what, to which record. Only ids: never an
 * address, a password, a hash, a token or a key, so the audit trail is safe to ship to any
 * log store.
 */
export interface AuditEvent {
  action: AuditAction;
  /** `admin:<fingerprint of the admin token>` or `cli`. */
  actor: string;
  user?: string;
  /** The id of an API key (never the key: a field named `key` is redacted from every line). */
  keyId?: string;
  /** The names of the fields a change set (never their values). */
  fields?: string[];
  /** The scope of an API key made or revoked. */
  dialect?: string;
  /** What an import or export did, as counts: added, updated, unchanged, refused; exported. */
  counts?: Partial<Record<'added' | 'updated' | 'unchanged' | 'refused' | 'exported', number>>;
}

export function audit(log: Logger, event: AuditEvent): void {
  log.info('audit', { ...event });
}

/**
 * The admin API's actor: a short fingerprint of the admin token, which tells one token from
 * the next after a rotation and reveals nothing of it (a hash prefix of a long secret).
 */
export function adminActor(adminToken: string): string {
  return `admin:${sha256(adminToken).slice(0, 12)}`;
}

export const CLI_ACTOR = 'cli';
