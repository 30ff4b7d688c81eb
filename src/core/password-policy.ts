import type { CommonPasswords, GuessPattern, PasswordStrength } from './ports.ts';

/**
 * NIST SP 800-63B-4 for a single-factor password: long enough, any characters (counted
 * by code point after NFC), nothing truncated, no composition rules, not one attackers
 * try first, and not one a strength estimator rates as easily guessed. Each refusal says why.
 */
export type PasswordProblem = 'too-short' | 'too-long' | 'common' | 'contains-email' | 'easily-guessed';

export const PASSWORD_MAX_LENGTH = 1024;
/** The floor no configuration goes under. */
export const PASSWORD_MIN_FLOOR = 8;

/**
 * Lowest zxcvbn score accepted. Score 2 means fewer than 10^8 guesses: out of reach online,
 * but hours of work offline against one leaked argon2id hash. 3 (10^8 to 10^10) is the
 * estimator's own "safely unguessable" and what it recommends; 4 would refuse many
 * passphrases of ordinary words that people can remember.
 */
export const MIN_STRENGTH_SCORE = 3;

/**
 * The estimator sees at most this many code points: its work grows faster than the length
 * (every substring is matched against its dictionaries), and a start of 100 code points
 * that is not easily guessed already lies far past 10^10 guesses, whatever follows.
 */
export const ESTIMATED_CODE_POINTS = 100;

/** What the policy needs besides the password; built once at start. */
export interface PasswordPolicy {
  /** Shortest password accepted, in code points (never below the floor). */
  minLength: number;
  common: CommonPasswords;
  strength: PasswordStrength;
  /**
   * The names of the site: resetd, the five products, the configured product names, the
   * host name. A password built on them is among an attacker's first guesses.
   */
  siteNames: readonly string[];
}

/** Why a password was refused: every problem found, and what makes it easy to guess when the estimator can tell. */
export interface PasswordRefusal {
  problems: PasswordProblem[];
  minLength: number;
  pattern?: GuessPattern;
}

/**
 * The one password policy: a reset in every dialect, Unleash's validate-password, the admin
 * API and the CLI all ask it. `email`: the account's address, or '' when none is known yet.
 * null: accepted.
 */
export function checkPassword(policy: PasswordPolicy, password: string, email: string): PasswordRefusal | null {
  const normalized = password.normalize('NFC');
  const codePoints = [...normalized];
  const minLength = Math.max(policy.minLength, PASSWORD_MIN_FLOOR);
  const problems: PasswordProblem[] = [];
  if (codePoints.length < minLength) problems.push('too-short');
  if (codePoints.length > PASSWORD_MAX_LENGTH) problems.push('too-long');
  if (policy.common.has(normalized)) problems.push('common');
  if (containsEmail(normalized, email)) problems.push('contains-email');
  if (problems.length > 0) return { problems, minLength };
  // Last, and only when the exact rules passed: on a refused password the estimator would
  // mostly repeat their reason, and it is by far the slowest rule.
  const rated = weakestRating(policy, codePoints.slice(0, ESTIMATED_CODE_POINTS).join(''), email);
  if (rated.score >= MIN_STRENGTH_SCORE) return null;
  return { problems: ['easily-guessed'], minLength, ...(rated.pattern && { pattern: rated.pattern }) };
}

/**
 * The lower rating of the password as typed and without its spaces and punctuation. zxcvbn
 * counts every extra piece of a password as 10^4 more guesses, so "resetd resetd resetd"
 * (three pieces) reaches score 3; attackers try the usual separators anyway, and run
 * together it is the repeat it is ("resetdresetdresetd", score 1). Passphrases of ordinary
 * words keep their score either way.
 */
function weakestRating(policy: PasswordPolicy, password: string, email: string): ReturnType<PasswordStrength['estimate']> {
  const known = knownWords(policy.siteNames, email);
  const typed = policy.strength.estimate(password, known);
  const joined = password.replace(SEPARATORS, '');
  if (joined === '' || joined === password) return typed;
  const together = policy.strength.estimate(joined, known);
  if (together.score !== typed.score) return together.score < typed.score ? together : typed;
  return typed.pattern !== null ? typed : together;
}

/** Spaces and punctuation; symbols (emoji, currency) are kept: they are the password. */
const SEPARATORS = /[\p{Z}\p{P}]+/gu;

/**
 * What an attacker of this account tries first, lower case: each site name and the address,
 * whole, run together ("rocket.chat" → "rocketchat") and in parts of four or more
 * characters; the address also as its local part and its domain.
 */
export function knownWords(siteNames: readonly string[], email: string): string[] {
  const at = email.lastIndexOf('@');
  const addressNames = email === '' ? [] : [email, email.slice(0, at), email.slice(at + 1)];
  const words = new Set<string>();
  for (const name of [...siteNames, ...addressNames]) {
    const whole = name.normalize('NFC').toLowerCase().trim();
    const parts = whole.split(/[^\p{L}\p{N}]+/u).filter((part) => part !== '');
    for (const word of [whole, parts.join(''), ...parts.filter((part) => [...part].length >= 4)]) {
      if (word !== '') words.add(word);
    }
  }
  return [...words];
}

/** The address's local part (three characters or more) anywhere in the password, in any case. */
function containsEmail(password: string, email: string): boolean {
  // No account known yet (a check before any token is used): nothing to compare with.
  if (email === '') return false;
  const lower = password.toLowerCase();
  const local = email.slice(0, email.lastIndexOf('@')).normalize('NFC').toLowerCase();
  return lower.includes(email.toLowerCase()) || (local.length >= 3 && lower.includes(local));
}
