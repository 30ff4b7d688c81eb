import { createHash, pbkdf2, randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

/**
 * The stored forms resetd can write into an application's users table. Each is exactly
 * what that application's own login check verifies; all hash on libuv's thread pool, so
 * the event loop keeps serving requests while a password is hashed.
 */
export const HASH_FORMATS = ['bcrypt', 'argon2id', 'pbkdf2-sha256', 'bcrypt-sha256', 'cloudreve-sha256'] as const;
export type HashFormat = (typeof HASH_FORMATS)[number];

export interface CostRule {
  min: number;
  max: number;
  default: number;
  /** What the number means, for messages. */
  meaning: string;
}

/** null: the format has no work factor to set. */
export const HASH_COSTS: Readonly<Record<HashFormat, CostRule | null>> = {
  // 10: what Unleash and Rocket.Chat themselves write. The application checks this hash at
  // every login and some (Meteor, under Rocket.Chat) rewrite a hash whose cost differs from theirs.
  bcrypt: { min: 4, max: 31, default: 10, meaning: 'the log2 of the bcrypt rounds' },
  'bcrypt-sha256': { min: 4, max: 31, default: 10, meaning: 'the log2 of the bcrypt rounds' },
  // With 19 MiB of memory, OWASP's minimum is 2 passes; the same as resetd's own users.
  argon2id: { min: 2, max: 20, default: 2, meaning: 'the argon2 time cost (passes over 19 MiB)' },
  // Django 5.2's default. Django reads the count from the stored text (and rehashes to its
  // own at the next login), so nothing below OWASP's 600,000 is needed for compatibility.
  'pbkdf2-sha256': { min: 600_000, max: 10_000_000, default: 1_000_000, meaning: 'the PBKDF2 iterations' },
  // Cloudreve v4 checks one salted SHA-256 and nothing stronger (inventory/user.go, CheckPassword).
  'cloudreve-sha256': null,
};

const ARGON2_MEMORY_KIB = 19_456;
const SALT_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const pbkdf2Async = promisify(pbkdf2);
const randomBytesAsync = promisify(randomBytes);

export function isHashFormat(value: unknown): value is HashFormat {
  return (HASH_FORMATS as readonly unknown[]).includes(value);
}

/** Problems with DIRECTORY_HASH and DIRECTORY_HASH_COST, each naming its setting. */
export function checkHashSettings(format: unknown, cost: number | null): string[] {
  if (!isHashFormat(format)) {
    return [`DIRECTORY_HASH: must be one of ${HASH_FORMATS.join(', ')} (got ${JSON.stringify(format)})`];
  }
  const rule = HASH_COSTS[format];
  if (rule === null) {
    return cost === null ? [] : [`DIRECTORY_HASH_COST: ${format} has no work factor to set; leave it unset (got ${cost})`];
  }
  if (cost !== null && !(Number.isSafeInteger(cost) && cost >= rule.min && cost <= rule.max)) {
    return [`DIRECTORY_HASH_COST: for ${format} must be a whole number from ${rule.min} to ${rule.max}, ${rule.meaning} (got ${cost})`];
  }
  return [];
}

/** The text to store for `password` (already NFC); `cost` null takes the format's default. */
export async function hashPassword(format: HashFormat, password: string, cost: number | null): Promise<string> {
  const work = cost ?? HASH_COSTS[format]?.default ?? 0;
  switch (format) {
    case 'bcrypt':
      // `$2b$…`; bcrypt reads the first 72 bytes, as the application's own check does.
      return bcrypt.hash(password, work);
    case 'bcrypt-sha256':
      // Rocket.Chat (Meteor accounts) stores bcrypt over the lower-case hex SHA-256.
      return bcrypt.hash(createHash('sha256').update(password, 'utf8').digest('hex'), work);
    case 'argon2id':
      return argon2id(password, work);
    case 'pbkdf2-sha256':
      return djangoPbkdf2Sha256(password, work);
    case 'cloudreve-sha256':
      return cloudreveSha256(password);
  }
}

/**
 * The PHC string with its parameters in the order m,t,p. The argon2 package writes
 * m,p,t, which libargon2's decoder (PHP's password_verify, argon2-cffi) refuses.
 */
async function argon2id(password: string, timeCost: number): Promise<string> {
  const salt = await randomBytesAsync(16);
  const key = await argon2.hash(password, { type: argon2.argon2id, memoryCost: ARGON2_MEMORY_KIB, timeCost, parallelism: 1, salt, raw: true });
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${ARGON2_MEMORY_KIB},t=${timeCost},p=1$${b64(salt)}$${b64(key)}`;
}

/** Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 key>`, with its 22-character alphanumeric salt. */
export async function djangoPbkdf2Sha256(password: string, iterations: number, salt = randomSalt(22)): Promise<string> {
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, 32, 'sha256');
  return `pbkdf2_sha256$${iterations}$${salt}$${key.toString('base64')}`;
}

/**
 * Cloudreve v4's `<salt>:<hex SHA-256 of password then salt>`, salt 32 alphanumerics. A
 * single fast hash is weak against a stolen table; it is written only because it is the
 * one form Cloudreve's login accepts.
 */
export function cloudreveSha256(password: string, salt = randomSalt(32)): string {
  return `${salt}:${createHash('sha256').update(password + salt, 'utf8').digest('hex')}`;
}

/**
 * The longest password a format's application signs in with, in characters: Cloudreve's
 * login refuses more than 128, so a longer one set here would lock the person out.
 */
export const LONGEST_PASSWORD: Partial<Record<HashFormat, number>> = { 'cloudreve-sha256': 128 };

function randomSalt(length: number): string {
  let salt = '';
  for (let i = 0; i < length; i++) salt += SALT_ALPHABET[randomInt(SALT_ALPHABET.length)];
  return salt;
}
