import type { CommonPasswords } from './ports.ts';

/**
 * NIST SP 800-63B-4 for a single-factor password: long enough, any characters (counted
 * by code point after NFC), nothing truncated, no composition rules, and not one attackers
 * try first. Each refusal says why.
 */
export type PasswordProblem = 'too-short' | 'too-long' | 'common' | 'contains-email';

export const PASSWORD_MAX_LENGTH = 1024;
/** The floor no configuration goes under. */
export const PASSWORD_MIN_FLOOR = 8;

export interface PasswordCheck {
  minLength: number;
  email: string;
  common: CommonPasswords;
}

export function checkPassword(password: string, check: PasswordCheck): PasswordProblem[] {
  const normalized = password.normalize('NFC');
  const length = [...normalized].length;
  const problems: PasswordProblem[] = [];
  if (length < Math.max(check.minLength, PASSWORD_MIN_FLOOR)) problems.push('too-short');
  if (length > PASSWORD_MAX_LENGTH) problems.push('too-long');
  if (check.common.has(normalized)) problems.push('common');
  if (containsEmail(normalized, check.email)) problems.push('contains-email');
  return problems;
}

/** The address's local part (three characters or more) anywhere in the password, in any case. */
function containsEmail(password: string, email: string): boolean {
  // No account known yet (a check before any token is used): nothing to compare with.
  if (email === '') return false;
  const lower = password.toLowerCase();
  const local = email.slice(0, email.lastIndexOf('@')).normalize('NFC').toLowerCase();
  return lower.includes(email.toLowerCase()) || (local.length >= 3 && lower.includes(local));
}
