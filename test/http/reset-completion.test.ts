import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResetd } from '../support/resetd.ts';
import { movableClock, startTestResetd } from '../support/resetd.ts';
import { postJson, requestToken } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';
import { addUser } from '../support/admin.ts';

/** Completing a reset over resetd's JSON API: tokens, races, policy, and what follows a reset. */
let resetd: TestResetd;
const clock = movableClock();
const GOOD = 'correct horse battery staple';

beforeAll(async () => {
  resetd = await startTestResetd({ RATE_LIMIT_RESET_FAILURES: '1000' }, { clock });
});
afterAll(() => resetd?.dispose());

const complete = (token: string, password = GOOD) => postJson(resetd, '/api/reset/complete', { token, password });
const validate = (token: string) => postJson(resetd, '/api/reset/validate', { token });

async function row<T>(sql: string, ...params: unknown[]): Promise<T> {
  return (await resetd.database.query<T>(sql, ...params))[0]!;
}

describe('tokens', () => {
  it('a valid token validates without being spent, then completes once', async () => {
    await addUser(resetd, 'valid@example.com');
    const token = await requestToken(resetd, 'valid@example.com');
    expect((await validate(token)).status).toBe(200);
    expect((await validate(token)).status).toBe(200);
    const done = await complete(token);
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ status: 'done' });
    const again = await complete(token, `${GOOD} again`);
    expect(again.status).toBe(410);
    expect((await again.json()).type).toBe('urn:resetd:problem:token-used');
  });

  it('an expired token fails', async () => {
    await addUser(resetd, 'expired@example.com');
    const token = await requestToken(resetd, 'expired@example.com');
    clock.advance(1801 * 1000);
    try {
      const response = await complete(token);
      expect(response.status).toBe(410);
      expect((await response.json()).type).toBe('urn:resetd:problem:token-expired');
    } finally {
      clock.advance(-1801 * 1000);
    }
  });

  it('an unknown or malformed token fails as unknown', async () => {
    for (const token of ['A'.repeat(43), 'short', 'x'.repeat(200), '../../etc/passwd', '']) {
      const response = await complete(token);
      expect(response.status, token).toBe(404);
    }
  });

  it('a newer request revokes the older link', async () => {
    await addUser(resetd, 'newer@example.com');
    const older = await requestToken(resetd, 'newer@example.com');
    const newer = await requestToken(resetd, 'newer@example.com');
    expect((await complete(older)).status).toBe(410);
    expect((await complete(newer)).status).toBe(200);
  });

  it('two completions racing with one token: exactly one succeeds', async () => {
    await addUser(resetd, 'race@example.com');
    const token = await requestToken(resetd, 'race@example.com');
    const statuses = (await Promise.all(Array.from({ length: 8 }, (_, i) => complete(token, `${GOOD} ${i}`)))).map((r) => r.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 410)).toHaveLength(7);
  });
});

describe('the password policy', () => {
  let email: string;
  let token: string;
  beforeAll(async () => {
    email = 'policy.owner@example.com';
    await addUser(resetd, email);
    token = await requestToken(resetd, email);
  });

  async function refusal(password: string) {
    const response = await complete(token, password);
    expect(response.status).toBe(422);
    const body = await response.json();
    return (body.errors as { code: string; message: string }[]).map((error) => error.code);
  }

  it('refuses fewer than 15 code points, and says so', async () => {
    expect(await refusal('fourteen chars')).toEqual(['too-short']);
  });

  it('counts code points, not bytes or UTF-16 units: 14 emoji are too short', async () => {
    expect(await refusal('🔑'.repeat(14))).toEqual(['too-short']);
  });

  it('refuses a common or breached password, whatever its letter case', async () => {
    expect(await refusal('1qaz2wsx3edc4rfv')).toEqual(['common']);
    expect(await refusal('QWERTY123456789')).toEqual(['common']);
  });

  it('refuses a password that contains the address or its local part', async () => {
    expect(await refusal('my policy.owner password')).toEqual(['contains-email']);
    expect(await refusal(`${email.toUpperCase()}!!`)).toEqual(['contains-email']);
  });

  it('refuses several things at once, each with its own reason', async () => {
    expect((await refusal('password')).sort()).toEqual(['common', 'too-short']);
  });

  it('accepts 15 emoji, and stores an argon2id hash of the whole NFC password', async () => {
    await addUser(resetd, 'unicode@example.com');
    const unicodeToken = await requestToken(resetd, 'unicode@example.com');
    expect((await complete(unicodeToken, '🔑🐙🌵🎻🚲🧭🍋🦉🪁🧩🌋🎈🦔🍄🛶')).status).toBe(200);
    const { password_hash } = await row<{ password_hash: string }>('SELECT password_hash FROM users WHERE email_key = ?', 'unicode@example.com');
    expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('accepts a long pass phrase, never truncated', async () => {
    const argon2 = (await import('argon2')).default;
    await addUser(resetd, 'long@example.com');
    const longToken = await requestToken(resetd, 'long@example.com');
    const long = 'Cafe\u0301 au lait, ünïcödé and spaces '.repeat(8); // 280 code points, NFD inside
    expect((await complete(longToken, long)).status).toBe(200);
    const { password_hash } = await row<{ password_hash: string }>('SELECT password_hash FROM users WHERE email_key = ?', 'long@example.com');
    expect(await argon2.verify(password_hash, long.normalize('NFC'))).toBe(true);
    expect(await argon2.verify(password_hash, long.normalize('NFC').slice(0, 64))).toBe(false);
  });
});

describe('after a reset', () => {
  it('every other outstanding token of the user is revoked, and the notice is mailed', async () => {
    await addUser(resetd, 'after@example.com', { locale: 'de' });
    const token = await requestToken(resetd, 'after@example.com');
    expect((await complete(token)).status).toBe(200);
    const { open } = await row<{ open: number }>(
      `SELECT count(*) AS open FROM reset_tokens t JOIN users u ON u.id = t.account_id
        WHERE u.email_key = 'after@example.com' AND t.used_at IS NULL AND t.revoked_at IS NULL`,
    );
    expect(open).toBe(0);
    const mailbox = resetd.mailbox!;
    await until(() => mailbox.list()[0]?.subject.includes('geändert') === true);
    expect(mailbox.list()[0]).toMatchObject({ to: 'after@example.com', subject: 'Ihr Cloudreve-Passwort wurde geändert' });
  });
});
