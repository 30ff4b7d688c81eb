import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets that resetd hands out (reset tokens, API keys) are 256-bit random strings; only
 * their SHA-256 is ever stored, so a copy of the database opens no account.
 */

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex digests without leaking, through timing, where they differ. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A random, prefixed identifier for rows (not a secret). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}
