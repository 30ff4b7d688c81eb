/**
 * The Directory port: where the application keeps its accounts. resetd never owns the
 * account; it asks the directory who an address belongs to (in the worker, never on the
 * request path, so answers cannot tell addresses apart) and writes the new password there,
 * in the form the application checks, when a person completes a reset.
 *
 * Adapters: src/directory/builtin (resetd's own users table), sql (the application's own
 * database), http (the application's signed callbacks), unleash (Unleash's admin API).
 */

/** An account as the directory reports it. `id` is the directory's own, kept as text. */
export interface Account {
  id: string;
  email: string;
  name: string | null;
  /** A language tag such as `de` or `pt-BR`; picks the mail's language. */
  locale: string | null;
  /** A disabled (banned, unverified) account gets no reset mail, and nobody can tell. */
  disabled: boolean;
}

export type FindResult =
  | { kind: 'found'; account: Account }
  | { kind: 'none' }
  /** More than one account answers to the identifier: treated as none (and logged), never guessed. */
  | { kind: 'ambiguous'; matches: number };

export type SetPasswordResult =
  | { kind: 'done' }
  /** The application will not take this password; `reasons` are its own words, shown to the person. */
  | { kind: 'refused'; reasons: string[] }
  /** The application could not be reached or failed: the person may try again, the link still works. */
  | { kind: 'unavailable'; error: string };

export interface Directory {
  /** What resetd calls this directory in logs and health answers. */
  readonly name: string;
  /**
   * The account that `identifier` names: an email key (NFC, lower case) or, for dialects
   * that name accounts by id or username, that text as sent. Throws when the directory
   * cannot answer (down, timed out, an answer of the wrong shape): the worker retries later.
   */
  find(identifier: string): Promise<FindResult>;
  /** Stores `password` (NFC) for the account, hashed or sent as the application expects. Never throws. */
  setPassword(account: Account, password: string): Promise<SetPasswordResult>;
  /**
   * The application's own reasons to refuse `password`, where it can tell them without
   * changing anything (Unleash can); [] when it has none or cannot say. Never throws.
   */
  checkPassword?(password: string): Promise<string[]>;
  /** Throws when the directory cannot be reached (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A directory's answer that cannot be used: the wrong shape, or a status it must not give. */
export class DirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryError';
  }
}

/** Checks an account a directory returned, so a bad answer is an error and never a wrong mail. */
export function checkAccount(value: unknown, source: string): Account {
  if (typeof value !== 'object' || value === null) throw new DirectoryError(`${source}: the account is not an object`);
  const row = value as Record<string, unknown>;
  const text = (field: string, optional: boolean): string | null => {
    const raw = row[field];
    if ((raw === undefined || raw === null) && optional) return null;
    if (typeof raw === 'number' && field === 'id' && Number.isSafeInteger(raw)) return String(raw);
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > 1024) {
      throw new DirectoryError(`${source}: \`${field}\` must be a non-empty string${optional ? ' or absent' : ''}`);
    }
    return raw;
  };
  const disabled = row.disabled;
  if (!(disabled === undefined || disabled === null || typeof disabled === 'boolean' || disabled === 0 || disabled === 1)) {
    throw new DirectoryError(`${source}: \`disabled\` must be true or false`);
  }
  return {
    id: text('id', false)!,
    email: text('email', false)!,
    name: text('name', true),
    locale: text('locale', true),
    disabled: Boolean(disabled),
  };
}
