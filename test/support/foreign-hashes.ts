import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { argon2i, argon2id, scrypt } from 'hash-wasm';

/**
 * Password hashes as other applications write them, made with implementations other than
 * the ones resetd checks with (bcryptjs, hash-wasm, Python's hashlib), plus published
 * vectors (PHP's manual, passlib's documentation).
 */
export interface ForeignHash {
  format: string;
  password: string;
  hash: string;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/** Django's make_password with PBKDF2-SHA256, computed by Python's hashlib. */
function djangoHash(password: string, iterations: number): string {
  const script = [
    'import base64, hashlib, sys',
    'password, salt, n = sys.argv[1], sys.argv[2], int(sys.argv[3])',
    'key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), n)',
    'print("pbkdf2_sha256$%d$%s$%s" % (n, salt, base64.b64encode(key).decode()))',
  ].join('\n');
  return execFileSync('python3', ['-c', script, password, 'Dj4ng0SaltAbCdEf012345', String(iterations)], { encoding: 'utf8' }).trim();
}

export async function foreignHashes(): Promise<ForeignHash[]> {
  const password = 'an old password from elsewhere';
  const salt = randomBytes(16);
  const bcrypt = bcryptjs.hashSync(password, 4);
  return [
    { format: 'bcrypt $2b$ (bcryptjs)', password, hash: bcrypt },
    { format: 'bcrypt $2a$', password, hash: bcrypt.replace(/^\$2b\$/, '$2a$') },
    // PHP manual, password_verify.
    { format: 'bcrypt $2y$ (PHP)', password: 'rasmuslerdorf', hash: '$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq' },
    {
      format: 'argon2i (hash-wasm)',
      password,
      hash: await argon2i({ password, salt, iterations: 3, parallelism: 1, memorySize: 4096, hashLength: 32, outputType: 'encoded' }),
    },
    {
      format: 'argon2id with weaker parameters (hash-wasm)',
      password,
      hash: await argon2id({ password, salt, iterations: 1, parallelism: 1, memorySize: 8192, hashLength: 32, outputType: 'encoded' }),
    },
    {
      format: 'scrypt PHC (hash-wasm)',
      password,
      hash: `$scrypt$ln=12,r=8,p=1$${b64(salt)}$${b64(await scrypt({ password, salt, costFactor: 2 ** 12, blockSize: 8, parallelism: 1, hashLength: 32, outputType: 'binary' }))}`,
    },
    // passlib's documentation, passlib.hash.scrypt.
    { format: 'scrypt PHC (passlib)', password: 'password', hash: '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E' },
    { format: 'Django pbkdf2_sha256 (hashlib)', password, hash: djangoHash(password, 20_000) },
  ];
}
