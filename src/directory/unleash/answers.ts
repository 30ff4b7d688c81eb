import type { Account } from '../../core/directory.ts';
import { checkAccount, DirectoryError } from '../../core/directory.ts';

/**
 * The accounts in a user search answer (`userSchema[]`) whose email is `identifier`. The
 * search is fuzzy (name contains, username or email starts with, case-insensitive), so only
 * an exact, case-insensitive email match counts. Unleash leaves deleted users, service
 * accounts and its system users out of the search; a service account that still shows up
 * (matched by email) cannot sign in with a password, so it is reported disabled.
 */
export function matchingAccounts(text: string, identifier: string): Account[] {
  let users: unknown;
  try {
    users = JSON.parse(text);
  } catch {
    throw new DirectoryError('unleash directory: the user search answered 200 with a body that is not JSON');
  }
  if (!Array.isArray(users)) throw new DirectoryError('unleash directory: the user search answered 200 without a list of users');
  const wanted = fold(identifier);
  return users
    .filter((user: unknown) => {
      if (typeof user !== 'object' || user === null) throw new DirectoryError('unleash directory: a user in the search answer is not an object');
      const email = (user as { email?: unknown }).email;
      return typeof email === 'string' && fold(email) === wanted;
    })
    .map((user: Record<string, unknown>) => {
      // Unleash's ids are integers (userSchema); anything else is not Unleash answering.
      if (!Number.isSafeInteger(user.id) || (user.id as number) < 1) throw new DirectoryError('unleash directory: a user in the search answer has no integer id');
      return checkAccount(
        {
          id: user.id,
          email: user.email,
          name: nonEmpty(user.name) ?? nonEmpty(user.username),
          locale: null, // Unleash keeps no language per user
          disabled: user.accountType !== undefined && user.accountType !== 'User',
        },
        'UNLEASH_URL',
      );
    });
}

/** Unleash stores emails in lower case; an identifier may come as sent. */
function fold(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Unleash's errors about the password itself (400): the person can choose another. */
const PASSWORD_ERRORS = new Set(['OwaspValidationError', 'PasswordUndefinedError', 'PasswordPreviouslyUsedError']);
const MAX_REASONS = 10;
const MAX_REASON_LENGTH = 500;

/**
 * The reasons in a 400 answer to change-password, or null when it is not a password error.
 * OwaspValidationError lists every unmet rule: `{name, message, details: [{message,
 * validationErrors: [...]}]}`; other errors carry `details: [{message}]`. They are shown to
 * the person, so they are bounded in number and length.
 */
export function passwordRefusal(text: string): string[] | null {
  let error: unknown;
  try {
    error = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof error !== 'object' || error === null) return null;
  const { name, message, details } = error as { name?: unknown; message?: unknown; details?: unknown };
  if (typeof name !== 'string' || !PASSWORD_ERRORS.has(name)) return null;
  const reasons: unknown[] = [];
  for (const detail of Array.isArray(details) ? details : []) {
    const { validationErrors, message: detailMessage } = (detail ?? {}) as { validationErrors?: unknown; message?: unknown };
    if (Array.isArray(validationErrors) && validationErrors.length > 0) reasons.push(...validationErrors);
    else reasons.push(detailMessage);
  }
  if (reasons.length === 0) reasons.push(message);
  const usable = [...new Set(reasons.filter((r): r is string => typeof r === 'string' && r.trim().length > 0))];
  if (usable.length === 0) return null;
  return usable.slice(0, MAX_REASONS).map((reason) => (reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason));
}
