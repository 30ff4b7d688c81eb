import type { PasswordProblem, PasswordRefusal } from '../core/password-policy.ts';
import { PASSWORD_MAX_LENGTH } from '../core/password-policy.ts';
import type { GuessPattern } from '../core/ports.ts';

/**
 * Why a password was refused, in words a person can act on: one message per problem. The
 * APIs answer in English (their clients translate by `code`); the reset page in the
 * account's language.
 */
export function passwordProblemMessages(refusal: PasswordRefusal, lang: 'en' | 'de' = 'en'): { code: PasswordProblem; message: string }[] {
  const words = MESSAGES[lang];
  return refusal.problems.map((code) => ({ code, message: words.problem(code, refusal) }));
}

interface Messages {
  problem(problem: PasswordProblem, refusal: PasswordRefusal): string;
}

/** What the estimator saw, short: the person needs the cause, not the arithmetic. */
const WHY: Record<'en' | 'de', Record<GuessPattern, string>> = {
  en: {
    repeat: 'repeated characters or words are among the first guesses',
    sequence: 'sequences like abc or 6789 are among the first guesses',
    keyboard: 'keys in a row, like qwerty, are among the first guesses',
    date: 'dates and years are among the first guesses',
    common: 'it is close to a commonly used password',
    word: 'a single common word or name is among the first guesses',
    'known-name': 'the names of this site, its product or your address are among the first guesses',
  },
  de: {
    repeat: 'Wiederholungen von Zeichen oder Wörtern werden zuerst geraten',
    sequence: 'Folgen wie abc oder 6789 werden zuerst geraten',
    keyboard: 'Tasten in einer Reihe, wie qwertz, werden zuerst geraten',
    date: 'Daten und Jahreszahlen werden zuerst geraten',
    common: 'es ähnelt einem häufig benutzten Passwort',
    word: 'ein einzelnes häufiges Wort oder ein Name wird zuerst geraten',
    'known-name': 'die Namen dieser Seite, ihres Produkts oder Ihre Adresse werden zuerst geraten',
  },
};

const MESSAGES: Record<'en' | 'de', Messages> = {
  en: {
    problem(problem, refusal) {
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
          return `This password is easy to guess${refusal.pattern ? `: ${WHY.en[refusal.pattern]}` : ''}. A few unrelated words make a strong one.`;
      }
    },
  },
  de: {
    problem(problem, refusal) {
      switch (problem) {
        case 'too-short':
          return `Verwenden Sie mindestens ${refusal.minLength} Zeichen.`;
        case 'too-long':
          return `Verwenden Sie höchstens ${PASSWORD_MAX_LENGTH} Zeichen.`;
        case 'common':
          return 'Dieses Passwort steht auf einer Liste häufiger oder geleakter Passwörter; wählen Sie ein anderes.';
        case 'contains-email':
          return 'Verwenden Sie Ihre E-Mail-Adresse nicht im Passwort.';
        case 'easily-guessed':
          return `Dieses Passwort ist leicht zu erraten${refusal.pattern ? `: ${WHY.de[refusal.pattern]}` : ''}. Ein paar Wörter ohne Zusammenhang ergeben ein starkes.`;
      }
    },
  },
};
