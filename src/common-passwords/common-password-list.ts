import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswords } from '../core/ports.ts';

/**
 * The passwords attackers try first: zxcvbn-ts's list of about 49,000 common and breached
 * passwords (maintained with the zxcvbn-ts estimator), held as a lower-case set.
 */
export function commonPasswordList(): CommonPasswords & { size: number } {
  const words = new Set((dictionary['passwords-common'] as string[]).map((word) => word.toLowerCase()));
  return { size: words.size, has: (password) => words.has(password.toLowerCase()) };
}
