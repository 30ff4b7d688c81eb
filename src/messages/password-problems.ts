import type { PasswordProblem } from '../core/password-policy.ts';
import { PASSWORD_MAX_LENGTH } from '../core/password-policy.ts';

/** Why a password was refused, in words a person can act on. */
export function passwordProblemMessage(problem: PasswordProblem, minLength: number): string {
  switch (problem) {
    case 'too-short':
      return `Use at least ${minLength} characters.`;
    case 'too-long':
      return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
    case 'common':
      return 'This password is on a list of common or breached passwords; choose another.';
    case 'contains-email':
      return 'Do not use your email address in your password.';
  }
}
