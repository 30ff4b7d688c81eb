import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Account, type Directory, DirectoryError } from '../../src/core/directory.ts';
import { checkSqlDirectorySettings, HASH_FORMATS, openSqlDirectory, type SqlDirectoryOptions } from '../../src/directory/sql/index.ts';
import { freePort } from '../support/ports.ts';
import { until } from '../support/waiting.ts';
import { tempDir } from '../support/temp-dir.ts';
import { independentlyVerifies } from './hash-verifiers.ts';
import { type AppDatabase, mysqlApp, OLD_HASH, postgresApp, reachable, sqliteApp, TEST_MYSQL, TEST_POSTGRES } from './sql-test-databases.ts';

// Low costs keep the suite quick; the formats themselves are tested in password-formats.test.ts.
const TEST_COSTS = { bcrypt: 4, 'bcrypt-sha256': 4, argon2id: 2, 'pbkdf2-sha256': 600_000, 'cloudreve-sha256': null } as const;
const SET_PASSWORD_SQL = 'UPDATE users SET password_hash = :password_hash WHERE id = :id';
const END_SESSIONS_SQL = 'DELETE FROM sessions WHERE user_id = :id';
// Generous against a loaded machine, yet well short of the 5-second sleeps and 50-second lock waits it cuts.
const QUICKLY_MS = 3_000;

const CI = process.env.CI === 'true';
const ENGINES = [
  { label: 'PostgreSQL', open: postgresApp, up: await reachable('postgres', TEST_POSTGRES), at: TEST_POSTGRES },
  { label: 'MariaDB', open: mysqlApp, up: await reachable('mysql', TEST_MYSQL), at: TEST_MYSQL },
  { label: 'SQLite', open: sqliteApp, up: true, at: 'a temporary file' },
];

const ADA: Account = { id: '1', email: 'Ada.Lovelace@Example.com', name: 'Ada', locale: 'en', disabled: false };

for (const engine of ENGINES) {
  // Off CI a missing server skips its tests, saying so; on CI it is a failure (the tests run and fail).
  const skip = !engine.up && !CI;
  if (skip) console.warn(`sql directory: skipping the ${engine.label} tests, nothing answers at ${engine.at} (CI=true makes this a failure)`);

  describe.skipIf(skip)(`sql directory on ${engine.label}${skip ? ` (skipped: nothing answers at ${engine.at})` : ''}`, () => {
    let app: AppDatabase;
    const opened: Directory[] = [];
    const open = async (overrides: Partial<SqlDirectoryOptions> = {}) => {
      const directory = await openSqlDirectory({
        url: app.url,
        findSql: app.findSql,
        setPasswordSql: SET_PASSWORD_SQL,
        afterSetSql: END_SESSIONS_SQL,
        hash: 'bcrypt',
        hashCost: 4,
        timeoutMs: 5_000,
        ...overrides,
      });
      opened.push(directory);
      return directory;
    };
    const hashes = async () =>
      Object.fromEntries((await app.query<{ id: unknown; password_hash: string }>('SELECT id, password_hash FROM users ORDER BY id')).map((row) => [String(row.id), row.password_hash]));
    const sessions = async () => (await app.query<{ token: string }>('SELECT token FROM sessions ORDER BY token')).map((row) => row.token);
    const UNTOUCHED = { '1': OLD_HASH, '2': OLD_HASH, '3': OLD_HASH, '4': OLD_HASH };

    beforeAll(async () => {
      app = await engine.open();
    });
    beforeEach(() => app.seed());
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((directory) => directory.close()));
    });
    afterAll(() => app?.drop());

    it('finds an account by its address in any case, with its name, its locale and its id as text', async () => {
      const directory = await open();
      expect(directory.name).toBe('sql');
      expect(await directory.find('ada.lovelace@example.com')).toEqual({ kind: 'found', account: ADA });
    });

    it('answers none for an address nobody has', async () => {
      expect(await (await open()).find('nobody@example.com')).toEqual({ kind: 'none' });
    });

    it('answers ambiguous for two accounts with one address, never a guess', async () => {
      expect(await (await open()).find('twin@example.com')).toEqual({ kind: 'ambiguous', matches: 2 });
    });

    it('maps the application\'s own flag to a disabled account', async () => {
      expect(await (await open()).find('grace@example.com')).toEqual({
        kind: 'found',
        account: { id: '2', email: 'grace@example.com', name: 'Grace', locale: 'de', disabled: true },
      });
    });

    it('takes an injection attempt as the identifier as a mere value: nothing is found and nothing changes', async () => {
      const directory = await open();
      for (const identifier of ["x' OR '1'='1", "' OR 1=1 -- ", "ada.lovelace@example.com' --", 'ada.lovelace@example.com"; DELETE FROM users; --', "' UNION SELECT 1, 'a@b.c' --"]) {
        expect(await directory.find(identifier), identifier).toEqual({ kind: 'none' });
      }
      expect(await hashes()).toEqual(UNTOUCHED);
    });

    for (const format of HASH_FORMATS) {
      it(`setPassword writes a ${format} hash an independent implementation accepts, and ends that account's sessions`, async () => {
        const directory = await open({ hash: format, hashCost: TEST_COSTS[format] });
        const found = await directory.find('ada.lovelace@example.com');
        if (found.kind !== 'found') throw new Error(`expected the account, got ${found.kind}`);
        expect(await directory.setPassword(found.account, 'new pässword 1')).toEqual({ kind: 'done' });
        const { '1': stored, ...others } = await hashes();
        expect(await independentlyVerifies(format, 'new pässword 1', stored!)).toBe(true);
        expect(others).toEqual({ '2': OLD_HASH, '3': OLD_HASH, '4': OLD_HASH });
        expect(await sessions()).toEqual(['s3']);
      });
    }

    it('rolls the new password back when DIRECTORY_AFTER_SET_SQL fails: the old hash and the sessions stay', async () => {
      // Fails while running (a duplicate key), after the new hash was written in the same transaction.
      const directory = await open({ afterSetSql: "INSERT INTO sessions (token, user_id) VALUES ('s1', :id)" });
      const result = await directory.setPassword(ADA, 'new password 2');
      expect(result).toMatchObject({ kind: 'unavailable', error: expect.stringMatching(/^DIRECTORY_AFTER_SET_SQL: /) });
      expect(await hashes()).toEqual(UNTOUCHED);
      expect(await sessions()).toEqual(['s1', 's2', 's3']);
    });

    it('refuses an account that no longer exists, and changes nothing', async () => {
      const directory = await open();
      expect(await directory.setPassword({ ...ADA, id: '999' }, 'new password 3')).toEqual({ kind: 'refused', reasons: ['This account no longer exists.'] });
      expect(await sessions()).toEqual(['s1', 's2', 's3']);
    });

    it('changes no row when DIRECTORY_SET_PASSWORD_SQL matches several, and says how many', async () => {
      const directory = await open({ setPasswordSql: 'UPDATE users SET password_hash = :password_hash WHERE id >= :id' });
      const result = await directory.setPassword({ ...ADA, id: '3' }, 'new password 4');
      expect(result).toEqual({ kind: 'unavailable', error: expect.stringContaining('matched 2 rows') });
      expect(await hashes()).toEqual(UNTOUCHED);
      expect(await sessions()).toEqual(['s1', 's2', 's3']);
    });

    it('throws on a row of the wrong shape rather than mailing a wrong address', async () => {
      const find = async (findSql: string, identifier: string) => (await open({ findSql })).find(identifier);
      await expect(find('SELECT id FROM users WHERE lower(email) = :identifier', 'grace@example.com')).rejects.toThrow(DirectoryError);
      // Account 3 has no display name: an email that is NULL.
      await expect(find('SELECT id, display_name AS email FROM users WHERE id = 3 AND lower(email) = :identifier', 'twin@example.com')).rejects.toThrow(DirectoryError);
      await expect(find('SELECT id, email, 7 AS disabled FROM users WHERE lower(email) = :identifier', 'grace@example.com')).rejects.toThrow(/disabled/);
    });

    it('answers ping while the database is up', async () => {
      await expect((await open()).ping()).resolves.toBeUndefined();
    });

    if (engine.label !== 'SQLite') {
      it('gives up on a statement slower than the time limit at the limit, and keeps working', async () => {
        const directory = await open({ findSql: app.slowFindSql!, timeoutMs: 500 });
        const started = Date.now();
        await expect(directory.find('ada.lovelace@example.com')).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(QUICKLY_MS);
        await expect(directory.ping()).resolves.toBeUndefined();
      });
    }

    it('answers unavailable at the time limit while the application holds the row, changes nothing, and keeps the event loop free', async () => {
      const lock = await app.lockUser('1');
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      try {
        const directory = await open({ timeoutMs: 500 });
        const started = Date.now();
        const result = await directory.setPassword(ADA, 'new password 5');
        const elapsed = Date.now() - started;
        expect(result).toMatchObject({ kind: 'unavailable' });
        expect(elapsed).toBeGreaterThanOrEqual(400);
        expect(elapsed).toBeLessThan(QUICKLY_MS);
        expect(ticks).toBeGreaterThanOrEqual(10);
      } finally {
        clearInterval(ticker);
        await lock.release();
      }
      expect(await hashes()).toEqual(UNTOUCHED);
      expect(await sessions()).toEqual(['s1', 's2', 's3']);
    });

    if (engine.label !== 'SQLite') {
      it('survives the server ending its connections, and reconnects', async () => {
        const directory = await open();
        await directory.find('ada.lovelace@example.com');
        expect(await app.killDirectoryConnections()).toBeGreaterThan(0);
        // An unheard 'error' event would end this process here, failing the run.
        await vi.waitFor(async () => expect(await directory.find('ada.lovelace@example.com')).toEqual({ kind: 'found', account: ADA }), { timeout: 5_000, interval: 100 });
        expect(await directory.setPassword(ADA, 'new password 6')).toEqual({ kind: 'done' });
      });

      it('survives the server ending its connection in the middle of a transaction: unavailable, then done', async () => {
        const directory = await open();
        const lock = await app.lockUser('1');
        try {
          const pending = directory.setPassword(ADA, 'new password 7');
          await until(async () => (await app.lockWaits()) > 0, 10_000, 250); // inside the transaction, waiting for the application's lock
          expect(await app.killDirectoryConnections()).toBeGreaterThan(0);
          expect(await pending).toMatchObject({ kind: 'unavailable' });
        } finally {
          await lock.release();
        }
        expect(await hashes()).toEqual(UNTOUCHED);
        expect(await directory.setPassword(ADA, 'new password 7')).toEqual({ kind: 'done' });
      });
    }
  });
}

describe('sql directory when the database cannot be reached', () => {
  const options = (url: string): SqlDirectoryOptions => ({
    url,
    findSql: 'SELECT id, email FROM users WHERE lower(email) = :identifier',
    setPasswordSql: SET_PASSWORD_SQL,
    afterSetSql: null,
    hash: 'bcrypt',
    hashCost: 4,
    timeoutMs: 500,
  });
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  };
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  // Accepts connections and never says a word: a hung server or a black-holed network.
  const silentPort = () => listen(createServer((socket) => { sockets.push(socket); socket.on('error', () => {}); }));

  for (const [label, scheme] of [['PostgreSQL', 'postgres'], ['MariaDB', 'mysql']] as const) {
    it(`${label} on a closed port: find and ping throw, setPassword answers unavailable, at once`, async () => {
      const directory = await openSqlDirectory(options(`${scheme}://user@127.0.0.1:${await freePort()}/app`));
      try {
        const started = Date.now();
        await expect(directory.find('a@example.com')).rejects.toThrow();
        await expect(directory.ping()).rejects.toThrow();
        expect(await directory.setPassword(ADA, 'new password')).toMatchObject({ kind: 'unavailable', error: expect.stringMatching(/ECONNREFUSED/) });
        expect(Date.now() - started).toBeLessThan(QUICKLY_MS);
      } finally {
        await directory.close();
      }
    });

    it(`${label} that never answers: find throws and setPassword answers unavailable at the time limit`, async () => {
      const directory = await openSqlDirectory(options(`${scheme}://user@127.0.0.1:${await silentPort()}/app`));
      try {
        let started = Date.now();
        await expect(directory.find('a@example.com')).rejects.toThrow();
        expect(Date.now() - started).toBeGreaterThanOrEqual(400);
        expect(Date.now() - started).toBeLessThan(QUICKLY_MS);
        started = Date.now();
        expect(await directory.setPassword(ADA, 'new password')).toMatchObject({ kind: 'unavailable' });
        expect(Date.now() - started).toBeLessThan(QUICKLY_MS);
      } finally {
        await directory.close();
      }
    });
  }

  it('SQLite with no file at the path: find and ping throw, setPassword answers unavailable, and no empty database is made', async () => {
    const dir = tempDir('dir');
    const path = dir.file('missing.db');
    const directory = await openSqlDirectory(options(`sqlite:${path}`));
    try {
      await expect(directory.find('a@example.com')).rejects.toThrow();
      await expect(directory.ping()).rejects.toThrow();
      expect(await directory.setPassword(ADA, 'new password')).toMatchObject({ kind: 'unavailable' });
      expect(existsSync(path)).toBe(false);
    } finally {
      await directory.close();
      dir.remove();
    }
  });
});

describe('sql directory settings', () => {
  const good: SqlDirectoryOptions = {
    url: 'postgres://app@db.internal/app',
    findSql: 'SELECT id, email FROM users WHERE lower(email) = :identifier',
    setPasswordSql: SET_PASSWORD_SQL,
    afterSetSql: END_SESSIONS_SQL,
    hash: 'argon2id',
    hashCost: null,
    timeoutMs: 5_000,
  };

  it('has nothing to say about a sound configuration, on each engine', () => {
    expect(checkSqlDirectorySettings(good)).toEqual([]);
    expect(checkSqlDirectorySettings({ ...good, url: 'mysql://root@127.0.0.1:3306/app', afterSetSql: null })).toEqual([]);
    expect(checkSqlDirectorySettings({ ...good, url: 'sqlite:./app.db', afterSetSql: '  ' })).toEqual([]);
  });

  it('names each setting with a problem', () => {
    const problems = checkSqlDirectorySettings({
      url: 'oracle://db/app',
      findSql: "SELECT id, email FROM users WHERE email = :email; DELETE FROM users WHERE email = ':identifier'",
      setPasswordSql: 'UPDATE users SET password_hash = :password_hash WHERE id = ?',
      afterSetSql: 'DELETE FROM sessions',
      hash: 'md5' as SqlDirectoryOptions['hash'],
      hashCost: 12,
      timeoutMs: 0,
    });
    expect(problems).toEqual([
      'DIRECTORY_URL: must start with postgres://, mysql:// or sqlite: (got "oracle")',
      'DIRECTORY_FIND_SQL: must be a single statement',
      'DIRECTORY_FIND_SQL: must use the parameter :identifier',
      'DIRECTORY_FIND_SQL: unknown parameter :email (it may use :identifier)',
      'DIRECTORY_SET_PASSWORD_SQL: must use the parameter :id',
      'DIRECTORY_AFTER_SET_SQL: must use the parameter :id',
      'DIRECTORY_HASH: must be one of bcrypt, argon2id, pbkdf2-sha256, bcrypt-sha256, cloudreve-sha256 (got "md5")',
      'DIRECTORY_TIMEOUT_MS: must be a positive number of milliseconds (got 0)',
    ]);
  });

  it('checks the cost against the chosen format, and the URL for a usable SQLite path', () => {
    expect(checkSqlDirectorySettings({ ...good, hash: 'bcrypt', hashCost: 600_000 })).toEqual([expect.stringMatching(/^DIRECTORY_HASH_COST: for bcrypt /)]);
    expect(checkSqlDirectorySettings({ ...good, hash: 'pbkdf2-sha256', hashCost: 600_000 })).toEqual([]);
    expect(checkSqlDirectorySettings({ ...good, url: 'sqlite:' })).toEqual([expect.stringMatching(/^DIRECTORY_URL: /)]);
    expect(checkSqlDirectorySettings({ ...good, url: 'sqlite:///var/app.db' })).toEqual([expect.stringMatching(/^DIRECTORY_URL: write sqlite:<path>/)]);
  });

  it('refuses to open with settings that have problems', async () => {
    await expect(openSqlDirectory({ ...good, findSql: 'SELECT id, email FROM users' })).rejects.toThrow('DIRECTORY_FIND_SQL: must use the parameter :identifier');
  });
});
