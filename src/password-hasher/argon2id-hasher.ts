import argon2 from 'argon2';
import type { PasswordHasher } from '../core/ports.ts';

/** The OWASP-recommended minimum for argon2id: 19 MiB, 2 passes, 1 lane. Stored hashes weaker than this are rehashed at the next verify. */
export const ARGON2ID_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id with ARGON2ID_PARAMETERS. The binding hashes on libuv's thread pool, off the event loop. */
export const argon2idHasher: PasswordHasher = {
  hash: (password) => argon2.hash(password, { type: argon2.argon2id, ...ARGON2ID_PARAMETERS }),
};
