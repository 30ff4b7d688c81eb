import argon2 from 'argon2';
import type { PasswordHasher } from '../core/ports.ts';

/**
 * argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane). The binding
 * hashes on libuv's thread pool, off the event loop.
 */
export const argon2idHasher: PasswordHasher = {
  hash: (password) =>
    argon2.hash(password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
};
