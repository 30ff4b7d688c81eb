import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { argon2Verify } from 'hash-wasm';
import type { HashFormat } from '../../src/directory/sql/password-formats.ts';

// Django's PBKDF2PasswordHasher.verify, in Python's own standard library: re-encode with
// the stored salt and iterations and compare the whole text.
const DJANGO_VERIFY = `
import base64, hashlib, hmac, json, sys
given = json.load(sys.stdin)
algorithm, iterations, salt, _ = given["encoded"].split("$", 3)
key = hashlib.pbkdf2_hmac("sha256", given["password"].encode(), salt.encode(), int(iterations))
encoded = "%s$%d$%s$%s" % ("pbkdf2_sha256", int(iterations), salt, base64.b64encode(key).decode("ascii").strip())
print("ok" if algorithm == "pbkdf2_sha256" and hmac.compare_digest(encoded, given["encoded"]) else "bad")
`;

// Cloudreve v4's CheckPassword (inventory/user.go), in Python: split at the colon, SHA-256
// of the password followed by the salt, compare the hex.
const CLOUDREVE_VERIFY = `
import hashlib, hmac, json, sys
given = json.load(sys.stdin)
salt, digest = given["encoded"].split(":", 1)
mine = hashlib.sha256((given["password"] + salt).encode()).hexdigest()
print("ok" if len(digest) == 64 and hmac.compare_digest(mine, digest) else "bad")
`;

/** Whether an implementation other than resetd's accepts `password` against `stored`, as the application would. */
export async function independentlyVerifies(format: HashFormat, password: string, stored: string): Promise<boolean> {
  switch (format) {
    case 'bcrypt':
      return bcryptjs.compare(password, stored);
    case 'bcrypt-sha256':
      return bcryptjs.compare(createHash('sha256').update(password, 'utf8').digest('hex'), stored);
    case 'argon2id':
      return argon2Verify({ password, hash: stored });
    case 'cloudreve-sha256':
      return execFileSync('python3', ['-c', CLOUDREVE_VERIFY], { input: JSON.stringify({ password, encoded: stored }) }).toString().trim() === 'ok';
    case 'pbkdf2-sha256':
      return execFileSync('python3', ['-c', DJANGO_VERIFY], { input: JSON.stringify({ password, encoded: stored }) }).toString().trim() === 'ok';
  }
}
