import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashFormat } from '../../src/directory/sql/password-formats.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { until } from '../support/waiting.ts';
import { createApiKey } from '../support/admin.ts';
import { linkIn, mailsTo, patchJson, postJson, requestMail, watchMail } from '../support/tokens.ts';
import type { TempDir } from '../support/temp-dir.ts';
import { tempDir } from '../support/temp-dir.ts';
import { independentlyVerifies } from './hash-verifiers.ts';
import type { AppDatabase } from './sql-test-databases.ts';
import { mysqlApp, OLD_HASH, postgresApp, reachable, sqliteApp, TEST_MYSQL, TEST_POSTGRES } from './sql-test-databases.ts';

/**
 * A reset through resetd with the accounts in the application's own database
 * (DIRECTORY=sql): the person asks through a product's endpoint, gets the mail, sets the
 * password on the reset page, and the application's table then holds a hash of the new
 * password in the application's format (checked by another implementation), its sessions
 * ended in the same transaction.
 */
const NEW = 'a brand new passphrase 4 ada';

interface Engine {
  name: AppDatabase['engine'];
  open: () => Promise<AppDatabase>;
  hash: HashFormat;
  up: () => Promise<boolean>;
}
const ENGINES: Engine[] = [
  { name: 'postgres', open: postgresApp, hash: 'bcrypt-sha256', up: () => reachable('postgres', TEST_POSTGRES) },
  { name: 'mysql', open: mysqlApp, hash: 'bcrypt', up: () => reachable('mysql', TEST_MYSQL) },
  { name: 'sqlite', open: sqliteApp, hash: 'pbkdf2-sha256', up: async () => true },
];

for (const engine of ENGINES) {
  const up = await engine.up();
  if (!up && process.env.CI === 'true') throw new Error(`${engine.name} is not reachable: CI runs the sql directory on it`);
  describe.skipIf(!up)(`DIRECTORY=sql on ${engine.name} (${engine.hash})`, () => {
    let app: AppDatabase;
    let resetd: TestResetd;
    let unleashKey: string;

    beforeAll(async () => {
      app = await engine.open();
      await app.seed();
      resetd = await startTestResetd({
        DIRECTORY: 'sql',
        DIRECTORY_URL: app.url,
        DIRECTORY_FIND_SQL: app.findSql,
        DIRECTORY_SET_PASSWORD_SQL: 'UPDATE users SET password_hash = :password_hash WHERE id = :id',
        DIRECTORY_AFTER_SET_SQL: 'DELETE FROM sessions WHERE user_id = :id',
        DIRECTORY_HASH: engine.hash,
        DIRECTORY_HASH_COST: engine.hash === 'pbkdf2-sha256' ? '600000' : '4',
        RATE_LIMIT_RESET_FAILURES: '1000',
      });
      unleashKey = await createApiKey(resetd, 'unleash');
    });
    afterAll(async () => {
      await resetd?.dispose();
      await app?.drop();
    });

    it('the application’s user resets through a product endpoint and the reset page; only the new password then verifies', async () => {
      const mail = await requestMail(resetd, 'ada.lovelace@example.com', {
        path: '/auth/reset/password-email',
        headers: { authorization: unleashKey },
        to: 'Ada.Lovelace@Example.com',
      });
      expect(mailsTo(resetd, 'Ada.Lovelace@Example.com')).toHaveLength(1);
      expect(mail.text).toContain('Hello Ada,');
      const link = linkIn(mail);

      const page = await fetch(`${resetd.url}/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: link.searchParams.get('token')!, password: NEW, password_confirm: NEW }).toString(),
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Password changed');

      const [row] = await app.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', 1);
      expect(row!.password_hash).not.toBe(OLD_HASH);
      expect(await independentlyVerifies(engine.hash, NEW, row!.password_hash)).toBe(true);
      expect(await independentlyVerifies(engine.hash, 'the old password', row!.password_hash)).toBe(false);
      // Ada's sessions ended with the change; nobody else's did.
      expect(await app.query('SELECT token FROM sessions ORDER BY token')).toEqual([{ token: 's3' }]);
      // Nobody else's password changed.
      const others = await app.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id <> ?', 1);
      expect(others.every((other) => other.password_hash === OLD_HASH)).toBe(true);
    });

    it('a disabled account and an address two accounts share get no mail', async () => {
      for (const email of ['grace@example.com', 'twin@example.com']) {
        expect((await postJson(resetd, '/api/v1/users.forgotPassword', { email })).status).toBe(200);
      }
      await until(async () => {
        const rows = await resetd.database.query<{ state: string }>(`SELECT state FROM outbox WHERE kind = 'reset' ORDER BY id DESC LIMIT 2`);
        return rows.length === 2 && rows.every((row) => row.state === 'no_account');
      });
      expect(resetd.mailbox!.list().filter((mail) => /grace|twin/i.test(mail.to))).toEqual([]);
    });
  });
}

describe("DIRECTORY=sql on Cloudreve v4's own users table (cloudreve-sha256), completed through Cloudreve's endpoint", () => {
  let dir: TempDir | undefined;
  let app: Database.Database;
  let resetd: TestResetd;

  beforeAll(async () => {
    dir = tempDir('cloudreve');
    app = new Database(dir.file('cloudreve.db'));
    // The columns of Cloudreve v4's users table (ent/migrate/schema.go), as its SQLite default holds them.
    app.exec(`CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT, created_at datetime NOT NULL, updated_at datetime NOT NULL,
      deleted_at datetime NULL, email text NOT NULL UNIQUE, nick text NOT NULL, password text NULL, status text NOT NULL DEFAULT 'active',
      storage integer NOT NULL DEFAULT 0, two_factor_secret text NULL, avatar text NULL, settings json NULL, group_users integer NOT NULL DEFAULT 1)`);
    app.prepare(`INSERT INTO users (created_at, updated_at, email, nick, password, status, settings) VALUES (datetime(), datetime(), ?, ?, ?, ?, ?)`)
      .run('cloud@example.com', 'Cloud User', `oldsaltoldsaltoldsaltoldsaltolds:${'0'.repeat(64)}`, 'active', JSON.stringify({ email_language: 'de' }));
    resetd = await startTestResetd({
      DIRECTORY: 'sql',
      DIRECTORY_URL: `sqlite:${dir.file('cloudreve.db')}`,
      DIRECTORY_FIND_SQL: `SELECT id, email, nick AS name, json_extract(settings, '$.email_language') AS locale, status <> 'active' AS disabled
                             FROM users WHERE lower(email) = :identifier AND deleted_at IS NULL`,
      DIRECTORY_SET_PASSWORD_SQL: `UPDATE users SET password = :password_hash, updated_at = CURRENT_TIMESTAMP
                                     WHERE id = :id AND status = 'active' AND deleted_at IS NULL`,
      DIRECTORY_HASH: 'cloudreve-sha256',
      RESET_PATH_CLOUDREVE: '/session/reset?id={user}&secret={token}',
      RATE_LIMIT_RESET_FAILURES: '1000',
    });
  });
  afterAll(async () => {
    await resetd?.dispose();
    app?.close();
    dir?.remove();
  });

  it('Cloudreve’s front end resets the password; Cloudreve’s own check accepts the new one only', async () => {
    const mails = watchMail(resetd, 'cloud@example.com');
    // As Cloudreve's front end sends it, CAPTCHA fields and all.
    const asked = await postJson(resetd, '/api/v4/user/reset', { email: 'Cloud@Example.com', captcha: '', ticket: '' });
    expect(await asked.json()).toEqual({ code: 0, msg: '' });
    const mail = await mails.next();
    expect(mail.text).toContain('Hallo Cloud User,');
    const link = linkIn(mail);
    expect(link.pathname).toBe('/session/reset');
    const patch = (password: string) =>
      patchJson(resetd, `/api/v4/user/reset/${link.searchParams.get('id')}`, { password, secret: link.searchParams.get('secret') }).then((r) => r.json());

    // Longer than Cloudreve's login accepts: refused in Cloudreve's shape, and the link still works.
    expect(await patch('Kangaroo Velvet Lantern Orbit, '.repeat(5))).toMatchObject({ code: 40001, msg: expect.stringMatching(/at most 128/) });
    // Cloudreve answers with the user; its front end signs the person in with data.email.
    expect(await patch(NEW)).toEqual({ code: 0, msg: '', data: { id: link.searchParams.get('id'), email: 'cloud@example.com', nickname: 'Cloud User' } });

    const { password } = app.prepare('SELECT password FROM users WHERE email = ?').get('cloud@example.com') as { password: string };
    expect(password).toMatch(/^[A-Za-z0-9]{32}:[0-9a-f]{64}$/);
    expect(await independentlyVerifies('cloudreve-sha256', NEW, password)).toBe(true);
    expect(await independentlyVerifies('cloudreve-sha256', `${NEW} `, password)).toBe(false);
  });
});
