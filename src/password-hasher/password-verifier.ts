import { randomBytes } from 'node:crypto';
import type { PasswordVerifier } from '../core/verify-password.ts';
import { ARGON2ID_PARAMETERS, argon2idHasher } from './argon2id-hasher.ts';
import { checkForeignHash } from './foreign-hashes.ts';

const OWN_FORM = /^\$argon2id\$v=19\$((?:[mtp]=\d+,?){3})\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Whether a stored hash is what resetd writes now: argon2id 1.3 with at least its memory and passes. */
export function isCurrentHash(stored: string): boolean {
  const match = OWN_FORM.exec(stored);
  if (!match) return false;
  const parameters = Object.fromEntries(match[1]!.split(',').map((pair) => pair.split('=') as [string, string]));
  return Number(parameters.m) >= ARGON2ID_PARAMETERS.memoryCost && Number(parameters.t) >= ARGON2ID_PARAMETERS.timeCost;
}

/**
 * The verifier verify uses. Its stand-in hash, for checks without an account, is made once
 * per process with resetd's own parameters from a random password nobody knows, so such a
 * check costs exactly what a check against a real account's hash does.
 */
export async function createPasswordVerifier(): Promise<PasswordVerifier> {
  const standIn = await argon2idHasher.hash(randomBytes(32).toString('base64url'));
  return {
    async verify(stored, password) {
      const check = await checkForeignHash(stored, password);
      if (check !== 'match') return check === 'mismatch' ? 'wrong' : 'unreadable';
      return isCurrentHash(stored) ? 'right' : 'outdated';
    },
    async verifyNothing(password) {
      await checkForeignHash(standIn, password);
    },
  };
}
