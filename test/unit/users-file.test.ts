import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { UserFileRow } from '../../src/core/import-users.ts';
import type { ExportedUser } from '../../src/core/store.ts';
import type { UsersFileFormat } from '../../src/users-file/read-users-file.ts';
import { MAX_ROW_BYTES, readUsersFile, UsersFileError } from '../../src/users-file/read-users-file.ts';
import { writeUsersFile } from '../../src/users-file/write-users-file.ts';

/** Reading files of users as they stream in, and writing them so they read back the same. */
async function read(format: UsersFileFormat, ...chunks: (string | Buffer)[]): Promise<UserFileRow[]> {
  const rows: UserFileRow[] = [];
  for await (const row of readUsersFile(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), format)) rows.push(row);
  return rows;
}

const HEADER = 'email,name,locale,disabled,password_hash\n';

describe('CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, numbering each row by the line it starts on', async () => {
    const rows = await read('csv', `\ufeff${HEADER}`, 'a@example.com,"Lovelace, Ada",en,,"$argon2id$v=19$m=1,t=2,p=3$x$y"\n', 'b@example.com,"Multi\nline ""quoted""\nname",,,\r\n\r\nc@exa', 'mple.com,C,,,\n');
    expect(rows).toEqual([
      { line: 2, fields: { email: 'a@example.com', name: 'Lovelace, Ada', locale: 'en', disabled: '', password_hash: '$argon2id$v=19$m=1,t=2,p=3$x$y' } },
      { line: 3, fields: { email: 'b@example.com', name: 'Multi\nline "quoted"\nname', locale: '', disabled: '', password_hash: '' } },
      { line: 7, fields: { email: 'c@example.com', name: 'C', locale: '', disabled: '', password_hash: '' } },
    ]);
  });

  it('reads CR LF files with the same line numbers', async () => {
    const rows = await read('csv', 'email,name\r\na@example.com,"A\r\nB"\r\n\r\nb@example.com,B\r\n');
    expect(rows.map((row) => row.line)).toEqual([2, 5]);
  });

  it('a short or long row is one refused row and the rows after it are read', async () => {
    const rows = await read('csv', HEADER, 'a@example.com,A\n', 'b@example.com,B,en,,,extra\n', 'c@example.com,C,,,\n');
    expect(rows).toEqual([
      { line: 2, error: expect.stringMatching(/^has more or fewer fields than the header's 5/) },
      { line: 3, error: expect.stringMatching(/^has more or fewer fields than the header's 5/) },
      { line: 4, fields: expect.objectContaining({ email: 'c@example.com' }) },
    ]);
  });

  it('a file cut short inside a quoted field ends with one refused row at that line', async () => {
    const rows = await read('csv', HEADER, 'a@example.com,A,,,\n', 'b@example.com,"B cut sh');
    expect(rows).toEqual([
      { line: 2, fields: expect.objectContaining({ email: 'a@example.com' }) },
      { line: 3, error: 'a quoted field is not closed before the end of the file (was the file cut short?)' },
    ]);
  });

  it('a row longer than the cap is refused, not held whole', async () => {
    const rows = await read('csv', HEADER, 'a@example.com,A,,,\n', `b@example.com,${'x'.repeat(MAX_ROW_BYTES + 1)},,,\n`);
    expect(rows).toEqual([
      { line: 2, fields: expect.objectContaining({ email: 'a@example.com' }) },
      { line: 3, error: 'the row is longer than 64 KiB; the rest of the file was not read' },
    ]);
  });

  it('a header without email, with unknown or repeated columns, or no header at all refuses the whole file', async () => {
    await expect(read('csv', 'name,locale\nAda,en\n')).rejects.toThrow(new UsersFileError('the header row has no email column (the columns are email, name, locale, disabled, password_hash)'));
    await expect(read('csv', 'email,role\na@example.com,admin\n')).rejects.toThrow(/unknown columns: role/);
    await expect(read('csv', 'email,Email\n')).rejects.toThrow(/names email more than once/);
    await expect(read('csv', '')).rejects.toThrow(UsersFileError);
  });
});

describe('JSON Lines', () => {
  it('reads one object per line, skips blank lines and counts them', async () => {
    const rows = await read('jsonl', '\ufeff{"email":"a@example.com","disabled":true}\n\n  \n{"email":', '"b@example.com"}\r\n[1]\nnot json\n');
    expect(rows).toEqual([
      { line: 1, fields: { email: 'a@example.com', disabled: true } },
      { line: 4, fields: { email: 'b@example.com' } },
      { line: 5, error: 'is not a JSON object' },
      { line: 6, error: 'is not valid JSON' },
    ]);
  });

  it('a last line cut short is refused with its number; a complete one without a newline is read', async () => {
    expect(await read('jsonl', '{"email":"a@example.com"}\n{"email":"b@exa')).toEqual([
      { line: 1, fields: { email: 'a@example.com' } },
      { line: 2, error: 'the file ends in the middle of this line (was it cut short?)' },
    ]);
    expect(await read('jsonl', '{"email":"a@example.com"}')).toEqual([{ line: 1, fields: { email: 'a@example.com' } }]);
  });

  it('a line longer than the cap is refused and the next line is read', async () => {
    const long = `{"email":"a@example.com","name":"${'x'.repeat(MAX_ROW_BYTES)}"}`;
    const rows = await read('jsonl', long.slice(0, 1000), long.slice(1000), '\n{"email":"b@example.com"}\n');
    expect(rows).toEqual([
      { line: 1, error: 'the line is longer than 64 KiB' },
      { line: 2, fields: { email: 'b@example.com' } },
    ]);
  });
});

describe('writing', () => {
  const users: ExportedUser[] = [
    { id: 'usr_1', email: 'a@example.com', name: 'Lovelace, "Ada"', locale: 'en', disabled: false, passwordHash: '$argon2id$v=19$m=65536,p=4,t=3$c2FsdA$aGFzaA' },
    { id: 'usr_2', email: 'b@example.com', name: ' spaced ', locale: null, disabled: true, passwordHash: null },
  ];
  const written = async (format: UsersFileFormat) => {
    let text = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += chunk;
        done();
      },
    });
    async function* pages() {
      yield users.slice(0, 1);
      yield users.slice(1);
    }
    expect(await writeUsersFile(pages(), format, sink)).toBe(2);
    return text;
  };

  it('writes RFC 4180 CSV that reads back to the same fields', async () => {
    const csv = await written('csv');
    expect(csv).toBe(`${HEADER}a@example.com,"Lovelace, ""Ada""",en,false,"$argon2id$v=19$m=65536,p=4,t=3$c2FsdA$aGFzaA"\nb@example.com," spaced ",,true,\n`);
    expect((await read('csv', csv)).map((row) => 'fields' in row && row.fields)).toEqual([
      { email: 'a@example.com', name: 'Lovelace, "Ada"', locale: 'en', disabled: 'false', password_hash: users[0]!.passwordHash },
      { email: 'b@example.com', name: ' spaced ', locale: '', disabled: 'true', password_hash: '' },
    ]);
  });

  it('writes JSON Lines with the same keys', async () => {
    const rows = await read('jsonl', await written('jsonl'));
    expect(rows[1]).toEqual({ line: 2, fields: { email: 'b@example.com', name: ' spaced ', locale: null, disabled: true, password_hash: null } });
  });
});
