import type { PasswordProblem, PasswordRefusal } from '../core/password-policy.ts';
import { PASSWORD_MAX_LENGTH } from '../core/password-policy.ts';
import type { GuessPattern } from '../core/ports.ts';

/** Why a password was refused, in words a person can act on: one message per problem. */
export function passwordProblemMessages(refusal: PasswordRefusal): { code: PasswordProblem; message: string }[] {
  return refusal.problems.map((code) => ({ code, message: passwordProblemMessage(code, refusal) }));
}

function passwordProblemMessage(problem: PasswordProblem, refusal: PasswordRefusal): string {
  switch (problem) {
    case 'too-short':
      return `Use at least ${refusal.minLength} characters.`;
    case 'too-long':
      return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
    case 'common':
      return 'This password is on a list of common or breached passwords; choose another.';
    case 'contains-email':
      return 'Do not use your email address in your password.';
    case 'easily-guessed':
      return `This password is easy to guess${refusal.pattern ? `: ${WHY[refusal.pattern]}` : ''}. A few unrelated words make a strong one.`;
  }
}

/** What the estimator saw, short: the person needs the cause, not the arithmetic. */
const WHY: Record<GuessPattern, string> = {
  repeat: 'repeated characters or words are among the first guesses',
  sequence: 'sequences like abc or 6789 are among the first guesses',
  keyboard: 'keys in a row, like qwerty, are among the first guesses',
  date: 'dates and years are among the first guesses',
  common: 'it is close to a commonly used password',
  word: 'a single common word or name is among the first guesses',
  'known-name': 'the names of this site, its product or your address are among the first guesses',
};
