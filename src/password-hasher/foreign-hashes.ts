import { scrypt, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';
import { djangoPbkdf2Sha256 } from '../directory/sql/password-formats.ts';

/**
 * Checks a password against a hash another application wrote, so users brought into
 * resetd's table keep their passwords. Each check hashes on libuv's thread pool and
 * compares in constant time; a hash whose text is not one of these forms, or whose
 * parameters are out of bounds, is `unreadable` (never a match, never an exception).
 *
 * - argon2id, argon2i, argon2d in PHC form: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`
 * - bcrypt: `$2a$`, `$2b$`, `$2y$` (PHP's name for the same algorithm)
 * - scrypt in PHC form, as passlib writes it: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`,
 *   salt and hash in base64 without padding (`.` read as `+`), the salt used as its bytes
 * - Django: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`
 */
export type ForeignFormat = 'argon2' | 'bcrypt' | 'scrypt' | 'pbkdf2-sha256';

export function formatOf(stored: string): ForeignFormat | null {
  if (/^\$argon2(id|i|d)\$/.test(stored)) return 'argon2';
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(stored)) return 'bcrypt';
  if (stored.startsWith('$scrypt$')) return 'scrypt';
  if (stored.startsWith('pbkdf2_sha256$')) return 'pbkdf2-sha256';
  return null;
}

export type HashCheck = 'match' | 'mismatch' | 'unreadable';

export async function checkForeignHash(stored: string, password: string): Promise<HashCheck> {
  switch (formatOf(stored)) {
    case 'argon2':
      return checkArgon2(stored, password);
    case 'bcrypt':
      // The same algorithm under three names; the binding reads only $2a$ and $2b$.
      return (await bcrypt.compare(password, stored.replace(/^\$2y\$/, '$2b$'))) ? 'match' : 'mismatch';
    case 'scrypt':
      return checkScrypt(stored, password);
    case 'pbkdf2-sha256':
      return checkDjangoPbkdf2(stored, password);
    case null:
      return 'unreadable';
  }
}

async function checkArgon2(stored: string, password: string): Promise<HashCheck> {
  try {
    return (await argon2.verify(stored, password)) ? 'match' : 'mismatch';
  } catch {
    return 'unreadable';
  }
}

const SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
/** 256 MiB: N = 2^20 with r = 8 needs 1 GiB, more than one check may take on this service. */
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;

/** scrypt's parameters from its PHC text, or why they cannot be used: the bounds one check may take. */
export function scryptParameters(stored: string): { N: number; r: number; p: number; salt: Buffer; expected: Buffer } | string {
  const match = SCRYPT.exec(stored);
  if (!match) return 'is not scrypt in PHC form ($scrypt$ln=…,r=…,p=…$salt$hash)';
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = base64Bytes(match[4]!);
  const expected = base64Bytes(match[5]!);
  if (ln < 1 || ln > 24 || r < 1 || p < 1) return 'has scrypt parameters out of bounds';
  if (expected.length < 16 || expected.length > 128) return 'has a scrypt hash of an unusable length';
  const N = 2 ** ln;
  if (128 * N * r > SCRYPT_MAX_MEMORY) return 'has scrypt parameters needing more than 256 MiB';
  return { N, r, p, salt, expected };
}

async function checkScrypt(stored: string, password: string): Promise<HashCheck> {
  const parameters = scryptParameters(stored);
  if (typeof parameters === 'string') return 'unreadable';
  const { N, r, p, salt, expected } = parameters;
  const key = await new Promise<Buffer | null>((resolve) =>
    scrypt(password, salt, expected.length, { N, r, p, maxmem: SCRYPT_MAX_MEMORY + 1024 * 1024 }, (error, derived) => resolve(error ? null : derived)),
  );
  if (key === null) return 'unreadable';
  return timingSafeEqual(key, expected) ? 'match' : 'mismatch';
}

const DJANGO = /^pbkdf2_sha256\$(\d{1,9})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
/** Django 5.2 writes 1,000,000; far beyond that a stored hash is a denial of service, not a password. */
const DJANGO_MAX_ITERATIONS = 20_000_000;

/** Django's iterations, salt and hash, or why they cannot be used. */
export function djangoParameters(stored: string): { iterations: number; salt: string; hash: string } | string {
  const match = DJANGO.exec(stored);
  if (!match) return 'is not Django pbkdf2_sha256 (pbkdf2_sha256$iterations$salt$base64 hash)';
  const iterations = Number(match[1]);
  if (iterations < 1 || iterations > DJANGO_MAX_ITERATIONS) return `has pbkdf2_sha256 iterations out of bounds (1 to ${DJANGO_MAX_ITERATIONS})`;
  return { iterations, salt: match[2]!, hash: match[3]! };
}

async function checkDjangoPbkdf2(stored: string, password: string): Promise<HashCheck> {
  const parameters = djangoParameters(stored);
  if (typeof parameters === 'string') return 'unreadable';
  // The same computation resetd uses to write Django's form (DIRECTORY_HASH=pbkdf2-sha256), with the stored salt.
  const computed = await djangoPbkdf2Sha256(password, parameters.iterations, parameters.salt);
  const key = Buffer.from(computed.slice(computed.lastIndexOf('$') + 1), 'base64');
  return timingSafeEqual(key, Buffer.from(parameters.hash, 'base64')) ? 'match' : 'mismatch';
}

/** Base64 with or without padding; passlib's adapted alphabet writes `.` for `+`. */
function base64Bytes(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}
