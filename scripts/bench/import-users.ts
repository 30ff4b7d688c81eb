/**
 * Imports 100,000 users from a CSV file into a fresh SQLite store through the real CLI
 * (`node bin/resetd.js users import FILE`, as an operator runs it), then the same file again
 * (every row unchanged), then exports them. Hashes are a mix of bcrypt, argon2id, scrypt and
 * Django pbkdf2_sha256: a few hundred real ones, made once and reused (hashing 100,000
 * passwords would take hours and say nothing about the import). Prints seconds and rows/s;
 * the target is under 60 s for the first import.
 *
 *   npm run bench:import [-- rows]
 */
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

const rows = Math.max(1000, Number(process.argv[2] ?? 100_000));
const dir = mkdtempSync(join(tmpdir(), 'resetd-import-bench-'));
const file = join(dir, 'users.csv');
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'resetd.db')}`, DIRECTORY: 'builtin' };

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
async function hashes(): Promise<string[]> {
  const made: string[] = [];
  for (let i = 0; i < 64; i++) {
    const password = `password number ${i}`;
    const salt = randomBytes(16);
    made.push(await bcrypt.hash(password, 10));
    made.push(await argon2.hash(password, { type: argon2.argon2id }));
    made.push(`$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(scryptSync(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 }))}`);
    if (i % 2 === 0) {
      const djangoSalt = randomBytes(12).toString('base64url');
      made.push(`pbkdf2_sha256$260000$${djangoSalt}$${pbkdf2Sync(password, djangoSalt, 260_000, 32, 'sha256').toString('base64')}`);
    }
  }
  return made;
}

const FIRST = ['Ada', 'Bob', 'Chloé', 'Dmitri', 'Emeka', 'Fatima', 'Günter', 'Hana', ' Igor', 'José', 'Kenji', 'Léa'];
const LAST = ['Lovelace', 'Smith', 'Müller', 'García', 'Okafor', 'Nakamura', 'Ivanova', "O'Brien", 'Dubois', 'Silva'];
const LOCALES = ['', 'en', 'de', 'fr', 'pt-BR', 'ja', 'es-MX'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'corp.example.io'];

// argon2 and scrypt hashes hold commas (m=…,t=…,p=…): quoted, as any CSV writer does.
const csvHash = (hash: string) => (hash.includes(',') ? `"${hash}"` : hash);

const t0 = performance.now();
const pool = await hashes();
const lines = ['email,name,locale,disabled,password_hash'];
for (let i = 0; i < rows; i++) {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[(i * 7) % LAST.length]!;
  const name = i % 5 === 0 ? `"${last}, ${first}"` : `${first} ${last}`;
  lines.push(`${first.toLowerCase()}.${last.toLowerCase().replace(/\W/g, '')}.${i}@${DOMAINS[i % DOMAINS.length]},${name},${LOCALES[i % LOCALES.length]},${i % 50 === 0},${csvHash(pool[i % pool.length]!)}`);
}
writeFileSync(file, `${lines.join('\n')}\n`);
console.log(`wrote ${rows} rows (${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB, ${pool.length} distinct hashes) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

function resetd(...args: string[]): Promise<{ seconds: number; stdout: string; stderr?: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/resetd.js', ...args], { env, maxBuffer: 1024 ** 3 }, (error, stdout, stderr) => {
      if (error && error.code !== 1) reject(new Error(`${args.join(' ')}: ${stderr}`));
      else resolve({ seconds: (performance.now() - start) / 1000, stdout, stderr });
    });
  });
}

const report = (label: string, run: { seconds: number; stdout: string; stderr?: string }) => {
  console.log(`${label.padEnd(16)} ${run.seconds.toFixed(2)} s  ${Math.round(rows / run.seconds).toLocaleString('en')} rows/s  ${run.stdout.trim().split('\n').pop()}`);
  // A refused row here is a fault of this script's file: show the first few.
  for (const line of (run.stderr ?? '').split('\n').filter((l) => l.startsWith('line ')).slice(0, 3)) console.log(`  ${line}`);
};

try {
  report('import', await resetd('users', 'import', file));
  report('import again', await resetd('users', 'import', file));
  const exported = await resetd('users', 'export', '--output', join(dir, 'export.csv'));
  report('export', { ...exported, stdout: `${statSync(join(dir, 'export.csv')).size} bytes` });
  report('export reimport', await resetd('users', 'import', join(dir, 'export.csv')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
