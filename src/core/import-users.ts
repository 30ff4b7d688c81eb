import { checkEmail } from './email-address.ts';
import type { Clock, HashFormats } from './ports.ts';
import { newId } from './secrets.ts';
import type { ImportedUser, UserImportStore } from './store.ts';
import { profileProblem } from './user-profile.ts';

/**
 * Importing users from a file (CSV or JSON Lines, read elsewhere): each row is checked as
 * `users add` checks a user, then upserted by email in batches, one transaction each, so a
 * row is in or out. A row that cannot be imported is refused with its line and why, and the
 * rest go on. Memory stays bounded (one batch, the first refusals) apart from the email keys
 * seen, which find a second row for the same user.
 */

/** The columns of an import (and an export), in this order. */
export const USER_FILE_COLUMNS = ['email', 'name', 'locale', 'disabled', 'password_hash'] as const;

/** A row as the file reader found it: its fields, or why it could not be read; `line` is where it starts. */
export type UserFileRow = { line: number; fields: Record<string, unknown> } | { line: number; error: string };

export interface ImportCounts {
  added: number;
  updated: number;
  unchanged: number;
  refused: number;
}

export interface ImportReport extends ImportCounts {
  /** The first MAX_REFUSALS refused rows. */
  refusals: { line: number; reason: string }[];
  /** Set when the store failed: rows from `line` on are not in, those before are. */
  stopped: { line: number; error: unknown } | null;
}

export interface ImportDeps {
  store: Pick<UserImportStore, 'importUsers'>;
  hashes: HashFormats;
  clock: Clock;
}

export interface ImportOptions {
  /** Rows per transaction. */
  batchSize: number;
  /** After each batch is committed, with the counts so far. */
  onProgress?: (counts: ImportCounts) => void;
}

export const MAX_REFUSALS = 1000;

const KNOWN = new Set<string>(USER_FILE_COLUMNS);

export async function importUsers(deps: ImportDeps, rows: AsyncIterable<UserFileRow>, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { added: 0, updated: 0, unchanged: 0, refused: 0, refusals: [], stopped: null };
  const seen = new Map<string, number>();
  let batch: ImportedUser[] = [];
  let batchLine = 0;

  const refuse = (line: number, reason: string) => {
    report.refused++;
    if (report.refusals.length < MAX_REFUSALS) report.refusals.push({ line, reason });
  };
  const flush = async (): Promise<boolean> => {
    if (batch.length === 0) return true;
    try {
      const results = await deps.store.importUsers(batch, deps.clock.now());
      for (const result of results) report[result]++;
    } catch (error) {
      report.stopped = { line: batchLine, error };
      return false;
    }
    batch = [];
    options.onProgress?.(countsOf(report));
    return true;
  };

  for await (const row of rows) {
    if ('error' in row) {
      refuse(row.line, row.error);
      continue;
    }
    const user = importedUser(row.fields, deps.hashes);
    if (typeof user === 'string') {
      refuse(row.line, user);
      // A later row for the same user is still a duplicate: which of the two was meant is unclear.
      const key = emailKeyOf(row.fields);
      if (key !== undefined && !seen.has(key)) seen.set(key, row.line);
      continue;
    }
    const earlier = seen.get(user.emailKey);
    if (earlier !== undefined) {
      refuse(row.line, `email is a duplicate of line ${earlier} (addresses that differ only in letter case are one user)`);
      continue;
    }
    seen.set(user.emailKey, row.line);
    if (batch.length === 0) batchLine = row.line;
    batch.push(user);
    if (batch.length >= options.batchSize && !(await flush())) return report;
  }
  await flush();
  return report;
}

function countsOf({ added, updated, unchanged, refused }: ImportCounts): ImportCounts {
  return { added, updated, unchanged, refused };
}

/** The email key of a row whose other fields were refused, so a later row for the same user is still a duplicate. */
function emailKeyOf(fields: Record<string, unknown>): string | undefined {
  const email = typeof fields.email === 'string' ? checkEmail(fields.email.trim()) : undefined;
  return email?.ok ? email.key : undefined;
}

/** The row as a user to import, or why it cannot be. */
function importedUser(fields: Record<string, unknown>, hashes: HashFormats): ImportedUser | string {
  const unknown = Object.keys(fields).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) return `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (the fields are ${USER_FILE_COLUMNS.join(', ')})`;
  const text = textFields(fields);
  if (typeof text === 'string') return text;
  if (text.email === undefined) return 'email is missing';
  const email = checkEmail(text.email.trim());
  if (!email.ok) return `email is ${email.reason}`;
  const name = text.name === undefined ? undefined : text.name.normalize('NFC');
  const locale = text.locale?.trim();
  const profile = profileProblem({ name, locale });
  if (profile) return profile.message;
  const disabled = disabledOf(fields.disabled);
  if (disabled === undefined) return 'disabled must be true, false, 1, 0, yes, no or empty';
  const passwordHash = text.password_hash?.trim();
  const problem = passwordHash === undefined ? null : hashes.problem(passwordHash);
  if (problem) return `password_hash ${problem}`;
  return {
    id: newId('usr'),
    email: email.address,
    emailKey: email.key,
    name: name ?? null,
    locale: locale ?? null,
    disabled,
    passwordHash: passwordHash ?? null,
  };
}

type TextFields = Partial<Record<'email' | 'name' | 'locale' | 'password_hash', string>>;

/** The text fields, with empty and null read as absent; a value of another type is refused. */
function textFields(fields: Record<string, unknown>): TextFields | string {
  const text: TextFields = {};
  for (const key of ['email', 'name', 'locale', 'password_hash'] as const) {
    const value = fields[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return `${key} must be text`;
    text[key] = value;
  }
  if (text.locale?.trim() === '') delete text.locale;
  if (text.password_hash?.trim() === '') delete text.password_hash;
  return text;
}

const DISABLED = new Map([['true', true], ['false', false], ['1', true], ['0', false], ['yes', true], ['no', false], ['', false]]);

/** true/false/1/0/yes/no in any case, or empty (enabled); undefined when it is none of these. */
function disabledOf(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  return DISABLED.get(value.trim().toLowerCase());
}
