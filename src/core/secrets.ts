import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Secrets that resetd hands out (reset tokens, API keys) are 256-bit random strings; only
 * their SHA-256 is ever stored, so a copy of the database opens no account.
 */

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(secret: string): string {
  // crypto.hash: one call for a short input, without a Hash object (a third of the time).
  return hash('sha256', secret, 'hex');
}

/** Compares two hex digests without leaking, through timing, where they differ. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A prefixed identifier for rows (not a secret): the time in milliseconds, then 64 random
 * bits. Time-ordered ids land at the end of their index instead of on random pages, which
 * keeps each commit on the request path small. randomUUID draws from a buffered pool.
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(16).padStart(12, '0');
  return `${prefix}_${time}${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}
