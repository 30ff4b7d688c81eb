import type { ZxcvbnResult } from '@zxcvbn-ts/core';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import type { GuessPattern, PasswordStrength } from '../core/ports.ts';

/** zxcvbn's warnings (its translation keys), in resetd's words. */
const PATTERNS: Record<string, GuessPattern> = {
  straightRow: 'keyboard',
  keyPattern: 'keyboard',
  simpleRepeat: 'repeat',
  extendedRepeat: 'repeat',
  sequences: 'sequence',
  recentYears: 'date',
  dates: 'date',
  topTen: 'common',
  topHundred: 'common',
  common: 'common',
  similarToCommon: 'common',
  pwned: 'common',
  wordByItself: 'word',
  namesByThemselves: 'word',
  commonNames: 'word',
  userInputs: 'known-name',
};

// Built on first use, once: ranking the word lists takes tens of milliseconds and some
// megabytes, which a process that never sets a password (a worker) need not spend.
let factory: ZxcvbnFactory | null = null;

/**
 * zxcvbn-ts with its common word lists (common passwords, diceware words) and keyboard
 * graphs (qwerty, azerty, qwertz, dvorak, keypads). Measured on 100 random characters, the
 * defaults take 100 to 600 ms a check, nearly all of it trying l33t spellings of every
 * substring: at most 8 substitutions (p@$$w0rd has 4) brings that to 10 to 50 ms and rates
 * the weak passwords tried alike. Levenshtein matching stays off: it compares the password
 * with every word of every list, 10 to 50 times slower, and the blocklist and the other
 * matchers catch what it would.
 */
export const zxcvbnStrength: PasswordStrength = {
  estimate(password, known) {
    factory ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, l33tMaxSubstitutions: 8 });
    const result: ZxcvbnResult = factory.check(password, [...known]);
    const warning = result.feedback.warning;
    return { score: result.score, pattern: (warning !== null && PATTERNS[warning]) || null };
  },
};
