import type { ExportedUser, ImportedUser } from '../core/store.ts';

/** What both stores read of a user to import over it or to export it. */
export const IMPORT_COLUMNS = 'id, email, name, locale, disabled, password_hash, password_changed_at';

export interface ImportUserRow {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  disabled: number | boolean;
  password_hash: string | null;
  password_changed_at: number | null;
}

/**
 * What an imported row does to the user stored under its email key: nothing when they are
 * equal (a file imported twice changes nothing), else an update. The account's unused reset
 * tokens go when the address text changes (the link went to the old spelling), the account
 * is disabled, or the hash changes (whoever asked for the link may not know the password
 * that now stands). A hash set by import leaves password_changed_at alone: it is the
 * application's old password carried over, not a reset.
 *
 * A password set in resetd since (a reset, or the operator) is newer than any file: the
 * file's hash is not written over it (`passwordHash` null keeps the stored one), so running an
 * old import again never brings back a password its owner replaced.
 */
export function importChange(stored: ImportUserRow, row: ImportedUser): 'unchanged' | { revokeTokens: boolean; passwordHash: string | null } {
  const disabled = Boolean(stored.disabled);
  const passwordHash = stored.password_changed_at === null ? row.passwordHash : null;
  const hashChanged = passwordHash !== null && passwordHash !== stored.password_hash;
  const emailChanged = row.email !== stored.email;
  if (!emailChanged && !hashChanged && row.name === stored.name && row.locale === stored.locale && row.disabled === disabled) return 'unchanged';
  return { revokeTokens: emailChanged || hashChanged || (row.disabled && !disabled), passwordHash: hashChanged ? passwordHash : null };
}

export function toExportedUser(row: ImportUserRow): ExportedUser {
  return { id: row.id, email: row.email, name: row.name, locale: row.locale, disabled: Boolean(row.disabled), passwordHash: row.password_hash };
}

/** name_key, as addUser writes it: names match case-insensitively. */
export function nameKey(name: string | null): string | null {
  return name?.toLowerCase() ?? null;
}
