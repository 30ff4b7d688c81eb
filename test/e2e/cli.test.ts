import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.ts';
import type { TestDatabase } from '../support/test-store.ts';
import { newTestDatabase } from '../support/test-store.ts';

interface UserRow {
  email: string;
  email_key: string;
  locale: string | null;
  password_hash: string | null;
}

interface ApiKeyRow {
  id: string;
  dialect: string;
  key_hash: string;
}

let database: TestDatabase;
const savedDatabaseUrl = process.env.DATABASE_URL;

// Each test gets a database of its own; the CLI reads it from DATABASE_URL.
beforeEach(() => {
  database = newTestDatabase();
  process.env.DATABASE_URL = database.url;
});

afterEach(async () => {
  if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedDatabaseUrl;
  await database.drop();
});

/** Runs the CLI and keeps what it printed. */
async function cli(...argv: string[]) {
  return cliWithInput('', ...argv);
}

/** Runs the CLI with `stdin` as its standard input. */
async function cliWithInput(stdin: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, (line) => out.push(line), (line) => err.push(line), Readable.from([stdin]));
  // Commands that use the store name it first on stderr (pinned below); the rest is the command's own.
  return { code, out, err: err.filter((line) => !line.startsWith('store: ')), store: err.filter((line) => line.startsWith('store: ')) };
}

function rows<T>(sql: string): Promise<T[]> {
  return database.query<T>(sql);
}

describe('resetd users add', () => {
  it('adds a user with an argon2id password hash and the given locale', async () => {
    const run = await cli('users', 'add', 'Alice@Example.com', '--password', 'correct horse battery', '--locale', 'de');
    expect(run.code).toBe(0);
    expect(run.out.join('\n')).toContain('Alice@Example.com');

    const users = await rows<UserRow>('SELECT email, email_key, locale, password_hash FROM users');
    expect(users).toHaveLength(1);
    const user = users[0]!;
    expect(user.email).toBe('Alice@Example.com');
    expect(user.email_key).toBe('alice@example.com');
    expect(user.locale).toBe('de');
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(user.password_hash).not.toContain('correct horse battery');
  });

  it('adds a user without a password, who can only set one through a reset', async () => {
    const run = await cli('users', 'add', 'bob@example.com');
    expect(run.code).toBe(0);
    expect(await rows<UserRow>('SELECT password_hash, locale FROM users')).toEqual([{ password_hash: null, locale: null }]);
  });

  it('the same email in another letter case is the same user and is refused with exit 1', async () => {
    expect((await cli('users', 'add', 'alice@example.com', '--password', 'tram figure polka dishwater')).code).toBe(0);

    const again = await cli('users', 'add', 'ALICE@Example.COM', '--password', 'quiet violet harbor lantern');
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/already exists/);

    const users = await rows<UserRow>('SELECT email, email_key FROM users');
    expect(users).toEqual([{ email: 'alice@example.com', email_key: 'alice@example.com' }]);
  });

  it('a password the reset policy refuses is refused here too, with the reasons, and nothing is stored', async () => {
    const short = await cli('users', 'add', 'dave@example.com', '--password', 'a');
    expect(short.code).toBe(2);
    expect(short.err).toEqual(['users add: the password is refused (the same policy as a reset):', '  - Use at least 15 characters.']);
    const repeated = await cli('users', 'add', 'dave@example.com', '--password', 'aaaaaaaaaaaaaaa');
    expect(repeated.code).toBe(2);
    expect(repeated.err.join('\n')).toContain('This password is easy to guess: repeated characters or words are among the first guesses.');
    const productName = await cli('users', 'add', 'dave@example.com', '--password', 'Rocket.Chat Rocket.Chat');
    expect(productName.code).toBe(2);
    expect(productName.err.join('\n')).toContain('easy to guess');
    expect(await rows<UserRow>('SELECT email FROM users')).toEqual([]);
  });

  it('an invalid email is refused and nothing is stored', async () => {
    const run = await cli('users', 'add', 'a@x.com,b@x.com', '--password', 'pw');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/email/);
    expect(await rows<UserRow>('SELECT email FROM users')).toEqual([]);
  });

  it('an invalid locale is refused', async () => {
    const run = await cli('users', 'add', 'carol@example.com', '--locale', 'german');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/locale/);
  });

  it('users add without an email exits 2 with usage', async () => {
    const run = await cli('users', 'add');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/usage: resetd/);
  });

  it('an unknown option exits 2 with usage', async () => {
    const run = await cli('users', 'add', 'dave@example.com', '--admin');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/usage: resetd/);
  });

  // PostgreSQL cannot store NUL at all; a line break or an escape would travel into mail,
  // pages and logs. The same on either store (RESETD_TEST_STORE=postgres for the other).
  it.each([
    ['NUL', 'Ada\u0000Lovelace'],
    ['a line break', 'Ada\nLovelace'],
    ['an escape', 'Ada\u001b[31m'],
  ])('a name with %s is refused with exit code 2, and no user is added', async (_label, name) => {
    expect(await cli('users', 'add', 'ada@example.com', '--name', name)).toMatchObject({ code: 2, out: [], err: ['name must not contain control characters'] });
    expect(await rows('SELECT id FROM users')).toEqual([]);
    expect((await cli('users', 'add', 'ada@example.com', '--name', 'Ada Lovelace')).code).toBe(0);
  });
});

describe('the audit line of a CLI action', () => {
  it('is one JSON line on stderr naming cli, the action and the record, never a secret', async () => {
    const added = await cli('users', 'add', 'audited@example.com', '--password', 'correct horse battery staple');
    const [user] = await rows<{ id: string }>('SELECT id FROM users');
    expect(added.err.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ event: 'audit', action: 'user.add', actor: 'cli', user: user!.id })]);

    const created = await cli('keys', 'create', '--dialect', 'quickblox');
    const [key] = await rows<{ id: string }>('SELECT id FROM api_keys');
    expect(created.err.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ action: 'api_key.create', actor: 'cli', keyId: key!.id, dialect: 'quickblox' })]);
    const revoked = await cli('keys', 'revoke', key!.id);
    expect(revoked.err.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ action: 'api_key.revoke', actor: 'cli', keyId: key!.id })]);

    const logged = [...added.err, ...created.err, ...revoked.err].join('\n');
    for (const secret of [created.out.at(-1)!, 'audited@example.com', 'correct horse battery staple']) expect(logged).not.toContain(secret);
  });

  it('a refused action writes none', async () => {
    await cli('keys', 'list', '--help');
    await cli('users', 'add', 'someone@example.com');
    expect((await cli('keys', 'revoke', 'key_unknown')).err).toEqual(['no live key with the id key_unknown']);
  });
});

describe('resetd keys create', () => {
  it('prints the key as the last line and stores only its SHA-256', async () => {
    const run = await cli('keys', 'create', '--dialect', 'unleash');
    expect(run.code).toBe(0);
    const key = run.out.at(-1)!;
    expect(key.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url, at least

    const keys = await rows<ApiKeyRow>('SELECT id, dialect, key_hash FROM api_keys');
    expect(keys).toHaveLength(1);
    const stored = keys[0]!;
    expect(stored.dialect).toBe('unleash');
    expect(stored.key_hash).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
    expect(stored.key_hash).not.toContain(key);
    expect(JSON.stringify(keys)).not.toContain(key);
  });

  it('two keys are different', async () => {
    const first = (await cli('keys', 'create', '--dialect', 'quickblox')).out.at(-1);
    const second = (await cli('keys', 'create', '--dialect', 'quickblox')).out.at(-1);
    expect(first).not.toBe(second);
    expect(await rows<ApiKeyRow>('SELECT id FROM api_keys')).toHaveLength(2);
  });

  it('a key for resetd itself (POST /api/auth/verify) is made like a dialect\'s', async () => {
    const run = await cli('keys', 'create', '--dialect', 'resetd');
    expect(run.code).toBe(0);
    const key = run.out.at(-1)!;
    const keys = await rows<ApiKeyRow>('SELECT id, dialect, key_hash FROM api_keys');
    expect(keys.map((row) => [row.dialect, row.key_hash])).toEqual([['resetd', createHash('sha256').update(key, 'utf8').digest('hex')]]);
  });

  it('an unknown dialect exits 2 with usage and creates no key', async () => {
    const run = await cli('keys', 'create', '--dialect', 'nope');
    expect(run.code).toBe(2);
    expect(run.out).toEqual([]);
    expect(run.err.join('\n')).toMatch(/--dialect/);
    expect(run.err.join('\n')).toMatch(/usage: resetd/);
  });

  it('a missing --dialect exits 2 with usage', async () => {
    const run = await cli('keys', 'create');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/usage: resetd/);
  });
});

describe('resetd users list, get, update, set-password, delete', () => {
  const add = async (email: string, ...extra: string[]) => {
    const run = await cli('users', 'add', email, ...extra);
    return run.out[0]!.split(' as ')[1]!;
  };
  const audits = (err: string[]) => err.filter((line) => line.includes('"audit"')).map((line) => JSON.parse(line));

  it('lists a page at a time with the next page named, filtered by an email prefix in any case', async () => {
    const ids = [await add('list.a@example.com'), await add('list.b@example.com'), await add('other@example.com')];
    const first = await cli('users', 'list', '--email-prefix', 'LIST.', '--limit', '1');
    expect(first.code).toBe(0);
    expect(first.out[0]).toContain(ids[0]);
    expect(first.out[1]).toBe(`more: resetd users list --after ${ids[0]} --email-prefix LIST.`);
    const second = await cli('users', 'list', '--email-prefix', 'list.', '--after', ids[0]!, '--json');
    expect(second.out.map((line) => JSON.parse(line).email)).toEqual(['list.b@example.com']);
    expect((await cli('users', 'list', '--limit', '0')).code).toBe(2);
  });

  it('gets a user by id or by email in any case; an unknown one exits 1', async () => {
    const id = await add('Get.Me@example.com', '--name', 'Get Me', '--locale', 'de');
    const byEmail = await cli('users', 'get', 'get.me@EXAMPLE.com', '--json');
    expect(JSON.parse(byEmail.out[0]!)).toMatchObject({ id, email: 'Get.Me@example.com', name: 'Get Me', locale: 'de', disabled: false, hasPassword: false });
    expect((await cli('users', 'get', id)).out[0]).toContain('Get.Me@example.com');
    const unknown = await cli('users', 'get', 'nobody@example.com');
    expect(unknown).toMatchObject({ code: 1, err: ['no user nobody@example.com'] });
  });

  it('updates the fields given, refuses a taken email with exit 1, a bad locale with exit 2', async () => {
    const id = await add('update.me@example.com', '--name', 'Old');
    await add('taken@example.com');
    const run = await cli('users', 'update', 'update.me@example.com', '--email', 'Updated@example.com', '--no-name', '--locale', 'pt-BR', '--disable');
    expect(run.code).toBe(0);
    expect(audits(run.err)).toEqual([expect.objectContaining({ action: 'user.update', actor: 'cli', user: id, fields: ['disabled', 'email', 'locale', 'name'] })]);
    expect(await rows('SELECT email, name, locale, disabled FROM users WHERE email_key = \'updated@example.com\'')).toEqual([{ email: 'Updated@example.com', name: null, locale: 'pt-BR', disabled: expect.anything() }]);
    expect((await cli('users', 'update', id, '--email', 'TAKEN@example.com')).code).toBe(1);
    expect((await cli('users', 'update', id, '--locale', 'english')).code).toBe(2);
    expect((await cli('users', 'update', id)).code).toBe(2);
    expect((await cli('users', 'update', id, '--enable', '--disable')).code).toBe(2);
  });

  it('sets a password read from stdin under the reset policy, never from an argument', async () => {
    const id = await add('pw@example.com');
    const weak = await cliWithInput('short\n', 'users', 'set-password', id);
    expect(weak.code).toBe(2);
    expect(weak.err.join('\n')).toMatch(/at least 15 characters/);
    const run = await cliWithInput('Marmalade Compass Thunder Fjord\n', 'users', 'set-password', 'PW@example.com');
    expect(run.code).toBe(0);
    expect(audits(run.err)).toEqual([expect.objectContaining({ action: 'user.set_password', actor: 'cli', user: id })]);
    const [user] = await rows<UserRow>('SELECT password_hash FROM users');
    expect(user!.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(run)).not.toContain('Marmalade');
    expect((await cliWithInput('', 'users', 'set-password', id)).code).toBe(2);
  });

  it('deletes a user by email; the second time there is nobody to delete', async () => {
    const id = await add('gone@example.com');
    const run = await cli('users', 'delete', 'gone@example.com');
    expect(run.code).toBe(0);
    expect(audits(run.err)).toEqual([expect.objectContaining({ action: 'user.delete', actor: 'cli', user: id })]);
    expect(await rows('SELECT id FROM users')).toEqual([]);
    expect((await cli('users', 'delete', 'gone@example.com')).code).toBe(1);
  });

  it('refuses, with exit 1, where the accounts live in the application', async () => {
    process.env.DIRECTORY = 'http';
    process.env.DIRECTORY_URL = 'http://127.0.0.1:9/directory';
    process.env.DIRECTORY_SECRET = 'a-directory-secret-of-enough-length';
    try {
      const run = await cli('users', 'list');
      expect(run.code).toBe(1);
      expect(run.err.join('\n')).toMatch(/accounts live in the application \(DIRECTORY=http\)/);
    } finally {
      delete process.env.DIRECTORY;
      delete process.env.DIRECTORY_URL;
      delete process.env.DIRECTORY_SECRET;
    }
  });
});

describe('commands the CLI does not know', () => {
  it.each([
    [['frobnicate'], /run resetd help/],
    [['users', 'remove', 'alice@example.com'], /did you mean: resetd users add, .*resetd users delete/],
    [['keys'], /did you mean: resetd keys create, resetd keys list, resetd keys revoke\?/],
  ])('%j exits 2 with usage, naming the nearest commands', async (argv, hint) => {
    const run = await cli(...argv);
    expect(run.code).toBe(2);
    expect(run.out).toEqual([]);
    expect(run.err.join('\n')).toMatch(/unknown command/);
    expect(run.err.join('\n')).toMatch(hint);
    expect(run.err.join('\n')).toMatch(/usage: resetd/);
  });

  it('an unknown option exits 2 naming it, with that command’s usage only', async () => {
    const run = await cli('keys', 'list', '--frobnicate');
    expect(run.code).toBe(2);
    expect(run.err[0]).toMatch(/^resetd keys list: Unknown option '--frobnicate'/);
    expect(run.err[1]).toBe('usage: resetd keys list   (resetd help keys list)');
  });

  it('help prints usage and exits 0', async () => {
    const run = await cli('help');
    expect(run.code).toBe(0);
    expect(run.out.join('\n')).toMatch(/usage: resetd/);
  });

  it('help COMMAND and COMMAND --help print that command’s usage and details, and touch no store', async () => {
    for (const argv of [['help', 'mail', 'retry'], ['mail', 'retry', '--help'], ['mail', 'retry', '-h']]) {
      const run = await cli(...argv);
      expect(run.code).toBe(0);
      expect(run.out.join('\n')).toMatch(/^usage: resetd mail retry \(ID… \| --all\)\n\nput dead-lettered mail back in the queue\n\nExit 1 when/);
      expect(run.store).toEqual([]);
    }
    expect((await cli('help', 'mail', 'resend')).code).toBe(2);
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const flag of ['--version', '-V', 'version']) expect(await cli(flag)).toMatchObject({ code: 0, out: [`resetd ${version}`] });
  });
});

describe('the store a command uses', () => {
  it('is named on stderr, without a password', async () => {
    const run = await cli('keys', 'create', '--dialect', 'unleash');
    expect(run.store).toHaveLength(1);
    expect(run.store[0]).toMatch(database.url.startsWith('sqlite:') ? /^store: sqlite \/.+resetd\.db/ : /^store: postgres postgres@127\.0\.0\.1:5432\/test schema resetd_test_/);
  });

  it('a command that reads never creates a SQLite file: it says where it looked and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resetd-cli-'));
    process.env.DATABASE_URL = `sqlite:${join(dir, 'elsewhere', 'resetd.db')}`;
    try {
      const run = await cli('users', 'list');
      expect(run.code).toBe(1);
      expect(run.err.join('\n')).toMatch(/^no resetd database at .*elsewhere\/resetd\.db \(DATABASE_URL=sqlite:.*\): run this where resetd runs, or set DATABASE_URL/);
      expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
      // One that writes may create it, and says so.
      const created = await cli('keys', 'create', '--dialect', 'unleash');
      expect(created.code).toBe(0);
      expect(created.store[0]).toMatch(/\(new: created now\)$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resetd mail retry', () => {
  it('with nothing dead-lettered says so; an id that is not dead-lettered exits 1', async () => {
    await cli('keys', 'create', '--dialect', 'unleash');
    expect(await cli('mail', 'retry', '--all')).toMatchObject({ code: 0, out: ['no dead-lettered mail to retry'] });
    const run = await cli('mail', 'retry', 'rr_nothing');
    expect(run.code).toBe(1);
    expect(run.err).toEqual(['none of rr_nothing is dead-lettered mail (see resetd mail dead)']);
  });
});

describe('settings', () => {
  it('a bad DATABASE_URL exits 2 naming the setting', async () => {
    process.env.DATABASE_URL = 'mysql://nope';
    const run = await cli('keys', 'create', '--dialect', 'unleash');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/DATABASE_URL/);
  });
});
