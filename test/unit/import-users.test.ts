import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportOptions, UserFileRow } from '../../src/core/import-users.ts';
import { importUsers, MAX_REFUSALS } from '../../src/core/import-users.ts';
import { hashProblem } from '../../src/password-hasher/hash-shape.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { TempDir } from '../support/temp-dir.ts';
import { tempDir } from '../support/temp-dir.ts';

/** The import's checks, row by row, over a real SQLite store. */
const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
const ARGON2 = '$argon2id$v=19$m=65536,p=4,t=3$TqC+DtV2Z3YuvDeMfhp1kQ$oKBTJGCgBpCCopHLgWaIuvvH6GPGGM/Xlq6LOmdz1z4';

let dir: TempDir;
let store: SqliteStore;
beforeEach(() => {
  dir = tempDir('import-core');
  store = openSqliteStore(dir.file('resetd.db'));
});
afterEach(async () => {
  if (store.db.open) await store.close();
  dir.remove();
});

async function* rows(list: readonly (Record<string, unknown> | string)[]): AsyncGenerator<UserFileRow> {
  let line = 1;
  for (const item of list) {
    line++;
    yield typeof item === 'string' ? { line, error: item } : { line, fields: item };
  }
}

const run = (list: readonly (Record<string, unknown> | string)[], options: Partial<ImportOptions> = {}) =>
  importUsers({ store, hashes: { problem: hashProblem }, clock: { now: () => new Date() } }, rows(list), { batchSize: 2, ...options });

const stored = () => store.db.prepare('SELECT email, name, locale, disabled, password_hash FROM users ORDER BY rowid').all();

describe('import rows', () => {
  it('refuses a second row for the same email in any letter case, naming the earlier line', async () => {
    const report = await run([{ email: 'ada@example.com' }, { email: 'bob@example.com' }, { email: 'ADA@Example.com', name: 'Other' }]);
    expect(report).toMatchObject({ added: 2, refused: 1, refusals: [{ line: 4, reason: 'email is a duplicate of line 2 (addresses that differ only in letter case are one user)' }] });
  });

  it('refuses hashes resetd could never check and keeps the stored hash when password_hash is empty', async () => {
    const report = await run([
      { email: 'a@example.com', password_hash: BCRYPT },
      { email: 'b@example.com', password_hash: 'md5$abc' },
      { email: 'c@example.com', password_hash: '$2b$03$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW' },
      { email: 'd@example.com', password_hash: ARGON2.replace('m=65536', 'm=99999999') },
      { email: 'e@example.com', password_hash: 'pbkdf2_sha256$999999999$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      { email: 'f@example.com', password_hash: '$scrypt$ln=20,r=8,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { email: 'g@example.com', password_hash: ARGON2 },
    ]);
    expect(report.refusals).toEqual([
      { line: 3, reason: 'password_hash is not a hash resetd can read (argon2, bcrypt, scrypt or pbkdf2_sha256)' },
      { line: 4, reason: 'password_hash has a bcrypt cost of 3 (4 to 31)' },
      { line: 5, reason: expect.stringMatching(/^password_hash has argon2 parameters out of bounds/) },
      { line: 6, reason: expect.stringMatching(/^password_hash has pbkdf2_sha256 iterations out of bounds/) },
      { line: 7, reason: 'password_hash has scrypt parameters needing more than 256 MiB' },
    ]);
    expect(report.added).toBe(2);
    expect((await run([{ email: 'a@example.com', password_hash: '' }, { email: 'g@example.com', password_hash: null }])).unchanged).toBe(2);
    expect(stored().map((row) => (row as { password_hash: string }).password_hash)).toEqual([BCRYPT, ARGON2]);
  });

  it('refuses invalid addresses, names and locales with the messages of users add, and unknown fields by name', async () => {
    const report = await run([
      { name: 'No address' },
      { email: 'not an address' },
      { email: 42 },
      { email: 'a@example.com', name: 'x'.repeat(201) },
      { email: 'b@example.com', name: 'Line\nbreak' },
      { email: 'c@example.com', locale: 'english' },
      { email: 'd@example.com', role: 'admin', id: 'usr_x' },
      'is not valid JSON',
    ]);
    expect(report.refusals.map((r) => `${r.line}: ${r.reason}`)).toEqual([
      '2: email is missing',
      '3: email is malformed',
      '4: email must be text',
      '5: name must be 1 to 200 characters',
      '6: name must not contain control characters',
      '7: locale must look like en or pt-BR',
      '8: unknown fields role, id (the fields are email, name, locale, disabled, password_hash)',
      '9: is not valid JSON',
    ]);
    expect(report.added + report.updated + report.unchanged).toBe(0);
    expect(stored()).toEqual([]);
  });

  it('reads disabled as true/false/1/0/yes/no in any case or empty, and refuses anything else', async () => {
    const values = ['true', 'FALSE', '1', '0', 'Yes', 'no', '', true, false, 1, 0, null];
    const report = await run([...values.map((disabled, i) => ({ email: `u${i}@example.com`, disabled })), { email: 'x@example.com', disabled: 'maybe' }, { email: 'y@example.com', disabled: 2 }]);
    expect(report.refusals.map((r) => r.line)).toEqual([14, 15]);
    expect(stored().map((row) => (row as { disabled: number }).disabled)).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0]);
  });

  it(`counts every refused row but keeps only the first ${MAX_REFUSALS}`, async () => {
    const report = await run(Array.from({ length: MAX_REFUSALS + 5 }, () => ({ email: 'bad' })));
    expect(report.refused).toBe(MAX_REFUSALS + 5);
    expect(report.refusals).toHaveLength(MAX_REFUSALS);
  });

  it('stops when the store fails: earlier batches stay, the failed batch and the rest are not in', async () => {
    const list = Array.from({ length: 7 }, (_, i) => ({ email: `u${i}@example.com` }));
    const progress: number[] = [];
    const report = await run(list, {
      onProgress: (counts) => {
        progress.push(counts.added);
        // The database goes away after the second batch.
        if (counts.added === 4) store.db.close();
      },
    });
    expect(progress).toEqual([2, 4]);
    expect(report).toMatchObject({ added: 4, refused: 0, stopped: { line: 6 } });
    const reopened = openSqliteStore(dir.file('resetd.db'));
    expect(reopened.db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 4 });
    await reopened.close();
  });
});
