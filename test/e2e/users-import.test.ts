import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.ts';
import { createApiKey } from '../support/admin.ts';
import type { ForeignHash } from '../support/foreign-hashes.ts';
import { foreignHashes } from '../support/foreign-hashes.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import type { TempDir } from '../support/temp-dir.ts';
import { tempDir } from '../support/temp-dir.ts';
import { postJson, requestToken } from '../support/tokens.ts';

/**
 * Users brought in by `resetd users import` with the hashes their old application wrote
 * (bcrypt, argon2i, argon2id, scrypt, Django): each signs in with the old password, is
 * upgraded to argon2id, resets through a dialect, and from then on only the new one works.
 */
let resetd: TestResetd;
let dir: TempDir;
let verifyKey: string;
let users: (ForeignHash & { email: string })[];
const savedDatabaseUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  resetd = await startTestResetd();
  verifyKey = await createApiKey(resetd, 'resetd');
  dir = tempDir('users-import');
  users = (await foreignHashes()).map((hash, i) => ({ ...hash, email: `Imported.${i}@Example.com` }));
  // The CLI works on the running resetd's database, as an operator's would.
  process.env.DATABASE_URL = resetd.database.url;
});

afterAll(async () => {
  if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedDatabaseUrl;
  await resetd?.dispose();
  dir?.remove();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, (line) => out.push(line), (line) => err.push(line));
  // The line naming the store is pinned by test/e2e/cli.test.ts.
  return { code, out, err: err.filter((line) => !line.startsWith('store: ')) };
}

const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;
const verify = (email: string, password: string) => postJson(resetd, '/api/auth/verify', { email, password }, { authorization: `Bearer ${verifyKey}` });
const storedHash = async (email: string) =>
  (await resetd.database.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email_key = ?', email.toLowerCase()))[0]?.password_hash;

describe('resetd users import', () => {
  it('imports a CSV file of foreign hashes; the same file again, and its export, are all unchanged', async () => {
    const file = dir.file('users.csv');
    writeFileSync(file, `email,name,locale,disabled,password_hash\n${users.map((u, i) => `${u.email},User ${i},en,no,${quoted(u.hash)}`).join('\n')}\n`);
    const first = await cli('users', 'import', file);
    expect(first.err.filter((line) => line.startsWith('line '))).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out).toEqual([`imported ${users.length} rows: ${users.length} added, 0 updated, 0 unchanged, 0 refused`]);
    expect(JSON.parse(first.err.at(-1)!)).toMatchObject({ event: 'audit', action: 'users.import', actor: 'cli', counts: { added: users.length } });
    expect(first.err.join('\n')).not.toContain(users[0]!.hash);

    expect((await cli('users', 'import', file)).out).toEqual([`imported ${users.length} rows: 0 added, 0 updated, ${users.length} unchanged, 0 refused`]);
    for (const format of ['csv', 'jsonl']) {
      const exported = dir.file(`export.${format}`);
      expect((await cli('users', 'export', '--output', exported)).code).toBe(0);
      expect((await cli('users', 'import', exported)).out).toEqual([`imported ${users.length} rows: 0 added, 0 updated, ${users.length} unchanged, 0 refused`]);
    }
  });

  it('each user verifies with the old password, is upgraded to argon2id, and after a reset through a dialect only the new password works', async () => {
    for (const user of users) {
      expect((await verify(user.email, `${user.password}!`)).status, user.format).toBe(401);
      expect((await verify(user.email, user.password)).status, user.format).toBe(200);
      expect(await storedHash(user.email), user.format).toMatch(/^\$argon2id\$v=19\$/);
      expect((await verify(user.email, user.password)).status, user.format).toBe(200);

      const token = await requestToken(resetd, user.email);
      const fresh = `quiet violet harbor ${user.format.length} lantern`;
      const reset = await postJson(resetd, '/auth/reset/password', { token, password: fresh });
      expect(reset.status, user.format).toBe(200);
      expect((await verify(user.email, user.password)).status, user.format).toBe(401);
      expect((await verify(user.email, fresh)).status, user.format).toBe(200);
    }
  });

  it('refused rows are listed with their line on stderr and exit 1; a file the header refuses exits 2 and imports nothing', async () => {
    const file = dir.file('bad.jsonl');
    writeFileSync(file, '{"email":"fine@example.com"}\n{"email":"FINE@example.com"}\n{"email":"x@example.com","password_hash":"md5$00"}\n{"email":"cut@exam');
    const run = await cli('users', 'import', file);
    expect(run.code).toBe(1);
    expect(run.err.filter((line) => line.startsWith('line '))).toEqual([
      'line 2: email is a duplicate of line 1 (addresses that differ only in letter case are one user)',
      'line 3: password_hash is not a hash resetd can read (argon2, bcrypt, scrypt or pbkdf2_sha256)',
      'line 4: the file ends in the middle of this line (was it cut short?)',
    ]);
    expect(run.out).toEqual(['imported 4 rows: 1 added, 0 updated, 0 unchanged, 3 refused']);

    const header = dir.file('header.csv');
    writeFileSync(header, 'mail,name\nnobody@example.com,Nobody\n');
    const refused = await cli('users', 'import', header);
    expect(refused.code).toBe(2);
    expect(refused.err[0]).toMatch(/^users import: the file is refused, nothing was imported: the header row has unknown columns: mail/);
    expect(await storedHash('nobody@example.com')).toBeUndefined();
    expect((await cli('users', 'import', dir.file('missing.csv'))).code).toBe(2);
  });
});
