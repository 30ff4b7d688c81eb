import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.ts';
import type { TestResetd } from '../support/resetd.ts';
import { ADMIN_TOKEN, startTestResetd } from '../support/resetd.ts';
import { postJson, requestToken } from '../support/tokens.ts';
import { outboxSettled as settle } from '../support/waiting.ts';
import { addUser, seed } from '../support/admin.ts';

/** Limits per account, per client address, per API key and on failed secrets, and the keys themselves. */
const running: TestResetd[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.dispose();
});

async function start(env: Record<string, string>) {
  const resetd = await startTestResetd(env);
  running.push(resetd);
  return resetd;
}

const rocket = (resetd: TestResetd, email: string, headers: Record<string, string> = {}) =>
  postJson(resetd, '/api/v1/users.forgotPassword', { email }, headers);


describe('per account', () => {
  it('a burst of requests for one account, in any letter case, sends one mail a minute; the answers do not change', async () => {
    const resetd = await start({ RATE_LIMIT_EMAIL_PER_MINUTE: '1', RATE_LIMIT_EMAIL_PER_HOUR: '5' });
    await addUser(resetd, 'victim@example.com');
    await addUser(resetd, 'bystander@example.com');
    const answers = await Promise.all(
      ['victim@example.com', 'VICTIM@example.com', 'Victim@Example.com', 'victim@example.com'].map(async (email) => {
        const response = await rocket(resetd, email);
        return `${response.status} ${await response.text()}`;
      }),
    );
    expect(new Set(answers).size).toBe(1);
    await rocket(resetd, 'bystander@example.com');
    await settle(resetd);
    const to = resetd.mailbox!.list().map((mail) => mail.to).sort();
    expect(to).toEqual(['bystander@example.com', 'victim@example.com']);
  });

  it('the hourly cap holds when the minute cap is off', async () => {
    const resetd = await start({ RATE_LIMIT_EMAIL_PER_MINUTE: '0', RATE_LIMIT_EMAIL_PER_HOUR: '2' });
    await addUser(resetd, 'hourly@example.com');
    for (let i = 0; i < 4; i++) {
      expect((await rocket(resetd, 'hourly@example.com')).status).toBe(200);
      await settle(resetd);
    }
    expect(resetd.mailbox!.list()).toHaveLength(2);
  });
});

describe('per client address', () => {
  it('past RATE_LIMIT_IP a minute an endpoint answers 429 with Retry-After; other endpoints keep their own budget', async () => {
    const resetd = await start({ RATE_LIMIT_IP: '3' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await rocket(resetd, `a${i}@example.com`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await postJson(resetd, '/api/v4/user/reset', { email: 'a@example.com' })).status).toBe(200);
  });

  it('X-Forwarded-For counts only from a trusted proxy', async () => {
    const untrusted = await start({ RATE_LIMIT_IP: '2' });
    const forged = [];
    for (let i = 0; i < 3; i++) forged.push((await rocket(untrusted, 'x@example.com', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(forged).toEqual([200, 200, 429]);

    const behindProxy = await start({ RATE_LIMIT_IP: '2', TRUSTED_PROXIES: '127.0.0.1' });
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push((await rocket(behindProxy, 'x@example.com', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(clients).toEqual([200, 200, 200]);
    const sameClient = [];
    for (let i = 0; i < 3; i++) sameClient.push((await rocket(behindProxy, 'x@example.com', { 'x-forwarded-for': '198.51.100.9' })).status);
    expect(sameClient).toEqual([200, 200, 429]);
  });

  it('RATE_LIMIT_IP=0 turns the limit off', async () => {
    const resetd = await start({ RATE_LIMIT_IP: '0' });
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => rocket(resetd, `b${i}@example.com`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('API keys', () => {
  it('each key has its own per-minute budget', async () => {
    const resetd = await start({ RATE_LIMIT_API_KEY: '2' });
    const keys = await seed(resetd, []);
    const other = await seed(resetd, []);
    const send = (key: string) => postJson(resetd, '/auth/reset/password-email', { email: 'k@example.com' }, { authorization: key });
    expect([(await send(keys.unleash)).status, (await send(keys.unleash)).status, (await send(keys.unleash)).status]).toEqual([200, 200, 429]);
    expect((await send(other.unleash)).status).toBe(200);
  });

  it('missing, wrong, revoked and other-dialect keys are refused by every keyed dialect', async () => {
    const resetd = await start({});
    const keys = await seed(resetd, []);
    const calls = {
      maiascore: (key?: string) => postJson(resetd, '/auth/forgot-password', { id: 'k@example.com' }, key ? { authorization: `Bearer ${key}` } : {}),
      unleash: (key?: string) => postJson(resetd, '/auth/reset/password-email', { email: 'k@example.com' }, key ? { authorization: key } : {}),
      quickblox: (key?: string) => fetch(`${resetd.url}/users/password/reset.json?email=k%40example.com`, { headers: key ? { 'QB-Token': key } : {} }),
    };
    const refused = { maiascore: 403, unleash: 401, quickblox: 401 };
    const foreign = { maiascore: keys.unleash, unleash: keys.quickblox, quickblox: keys.maiascore };
    for (const dialect of ['maiascore', 'unleash', 'quickblox'] as const) {
      expect((await calls[dialect](keys[dialect])).status, `${dialect} valid`).toBe(200);
      expect((await calls[dialect]()).status, `${dialect} missing`).toBe(refused[dialect]);
      expect((await calls[dialect](`${keys[dialect]}x`)).status, `${dialect} wrong`).toBe(refused[dialect]);
      expect((await calls[dialect](foreign[dialect])).status, `${dialect} other dialect`).toBe(refused[dialect]);
    }

    // Revoked with the CLI, on the same store: refused at once.
    const lines: string[] = [];
    process.env.DATABASE_URL = resetd.database.url;
    try {
      expect(await runCli(['keys', 'list'], (line) => lines.push(line))).toBe(0);
      const unleashKey = lines.find((line) => line.includes(' unleash '))!.split(/\s+/)[0]!;
      expect(await runCli(['keys', 'revoke', unleashKey], () => {}, () => {})).toBe(0);
      expect(await runCli(['keys', 'revoke', unleashKey], () => {}, () => {})).toBe(1);
    } finally {
      delete process.env.DATABASE_URL;
    }
    expect((await calls.unleash(keys.unleash)).status).toBe(401);
    expect((await calls.maiascore(keys.maiascore)).status).toBe(200);
  });

  it('the admin API wants its own token, compared whole', async () => {
    const resetd = await start({});
    const add = (token: string) => postJson(resetd, '/admin/users', { email: 'adm@example.com' }, { authorization: `Bearer ${token}` });
    expect((await add(ADMIN_TOKEN.slice(0, -1))).status).toBe(401);
    expect((await add(`${ADMIN_TOKEN}x`)).status).toBe(401);
    expect((await add(ADMIN_TOKEN)).status).toBe(201);
  });
});

describe('failed secrets from one address', () => {
  const validate = (resetd: TestResetd, token: string) => postJson(resetd, '/api/reset/validate', { token });
  const guess = () => 'G'.repeat(40) + Math.random().toString(36).slice(2, 5).padEnd(3, 'x');

  it('past RATE_LIMIT_RESET_FAILURES an unknown token gets 429 with Retry-After, after a delay; a real link from that address still works', async () => {
    const resetd = await start({ RATE_LIMIT_RESET_FAILURES: '3' });
    await addUser(resetd, 'neighbour@example.com');
    const token = await requestToken(resetd, 'neighbour@example.com');
    const statuses = await Promise.all(Array.from({ length: 20 }, () => validate(resetd, guess()).then((r) => r.status)));
    expect(statuses.filter((status) => status === 404)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);

    const started = Date.now();
    const limited = await validate(resetd, guess());
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Someone else behind the same address follows the link they were mailed.
    expect((await validate(resetd, token)).status).toBe(200);
    const done = await postJson(resetd, '/api/reset/complete', { token, password: 'ninety-nine red balloons over Lisbon' });
    expect(done.status).toBe(200);
  });

  it('past RATE_LIMIT_ADMIN_FAILURES a wrong admin token gets 429 with Retry-After; the right token from that address still works', async () => {
    const resetd = await start({ RATE_LIMIT_ADMIN_FAILURES: '3' });
    const add = (token: string, email = 'adm@example.com') => postJson(resetd, '/admin/users', { email }, { authorization: `Bearer ${token}` });
    const wrong = await Promise.all(Array.from({ length: 30 }, (_, i) => add(`${ADMIN_TOKEN}${i}`).then((r) => r.status)));
    expect(wrong.filter((status) => status === 401)).toHaveLength(3);
    expect(wrong.filter((status) => status === 429)).toHaveLength(27);
    const limited = await add('not-the-token');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await add(ADMIN_TOKEN)).status).toBe(201);
    expect((await postJson(resetd, '/admin/api-keys', { dialect: 'unleash' }, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(201);
  });
});
