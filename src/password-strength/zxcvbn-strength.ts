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
 * graphs (qwerty, azerty, qwertz, dvorak, keypads). Levenshtein matching stays off: it
 * compares the password with every word of every list, 10 to 50 times slower, and near
 * misses of common passwords are caught by the blocklist and the other matchers.
 */
export const zxcvbnStrength: PasswordStrength = {
  estimate(password, known) {
    factory ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
    const result: ZxcvbnResult = factory.check(password, [...known]);
    const warning = result.feedback.warning;
    return { score: result.score, pattern: (warning !== null && PATTERNS[warning]) || null };
  },
};
