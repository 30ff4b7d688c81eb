import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/logs.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { requestToken } from '../support/tokens.ts';
import { addUser } from '../support/admin.ts';

/** The page a reset link opens, as mail scanners and people use it. */
const { log: capture, lines } = capturingLogger();
let resetd: TestResetd;
const GOOD = 'correct horse battery staple';

beforeAll(async () => {
  resetd = await startTestResetd({ RATE_LIMIT_RESET_FAILURES: '3' }, { log: capture });
});
afterAll(() => resetd?.dispose());

const form = (fields: Record<string, string>) =>
  fetch(`${resetd.url}/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

describe('the reset page', () => {
  it('opening the link (GET, HEAD, again and again) never spends the token; the form does', async () => {
    await addUser(resetd, 'scanned@example.com');
    const token = await requestToken(resetd, 'scanned@example.com');
    for (const method of ['HEAD', 'GET', 'HEAD', 'GET']) {
      expect((await fetch(`${resetd.url}/reset?token=${token}`, { method })).status).toBe(200);
    }
    const done = await form({ token, password: GOOD, password_confirm: GOOD });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your password has been changed');
    const reopened = await fetch(`${resetd.url}/reset?token=${token}`);
    expect(reopened.status).toBe(410);
    expect(await reopened.text()).toContain('Ask for a new one below');
  });

  it('reads its form as a form: a JSON object sent under the form content type sets nothing', async () => {
    await addUser(resetd, 'json-form@example.com');
    const token = await requestToken(resetd, 'json-form@example.com');
    const sent = await fetch(`${resetd.url}/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ token, password: GOOD, password_confirm: GOOD }),
    });
    expect(sent.status).toBe(410);
    expect((await fetch(`${resetd.url}/reset?token=${token}`)).status).toBe(200);
  });

  it('is sent with a strict policy: no scripts, no third parties, no referrer, no cache, no framing', async () => {
    const response = await fetch(`${resetd.url}/reset`);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe|script-src|https?:/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toMatch(/<script|<img|<link|src=|https?:\/\//i);
    expect(html.length).toBeLessThan(4096);
  });

  it('has labelled fields, and announces errors tied to them', async () => {
    await addUser(resetd, 'labels@example.com');
    const token = await requestToken(resetd, 'labels@example.com');
    const html = await (await fetch(`${resetd.url}/reset?token=${token}`)).text();
    expect(html).toMatch(/<label for="password">/);
    expect(html).toMatch(/<label for="password_confirm">/);
    expect(html).toMatch(/<html lang="en">/);
    const mismatch = await form({ token, password: GOOD, password_confirm: `${GOOD}.` });
    expect(mismatch.status).toBe(400);
    const page = await mismatch.text();
    expect(page).toMatch(/role="alert" id="errors"/);
    expect(page).toMatch(/aria-invalid="true" aria-describedby="errors password-help"/);
    expect(page).toContain('The two passwords differ');
    const weak = await form({ token, password: 'labels rocks', password_confirm: 'labels rocks' });
    const reasons = await weak.text();
    expect(reasons).toContain('Use at least 15 characters.');
    expect(reasons).toContain('Do not use your email address in your password.');
  });

  it('says why an easily guessed password is refused, and the link still works', async () => {
    await addUser(resetd, 'guessable@example.com');
    const token = await requestToken(resetd, 'guessable@example.com');
    const cases = [
      ['aaaaaaaaaaaaaaa', 'repeated characters or words are among the first guesses'],
      ['qwertyuiopasdfgh', 'it is close to a commonly used password'],
      ['Rocket.Chat Rocket.Chat', 'the names of this site, its product or your address are among the first guesses'],
    ];
    for (const [password, why] of cases) {
      const refused = await form({ token, password: password!, password_confirm: password! });
      expect(refused.status).toBe(400);
      const page = await refused.text();
      expect(page).toMatch(/role="alert" id="errors"/);
      expect(page).toContain(`This password is easy to guess: ${why}. A few unrelated words make a strong one.`);
    }
    expect((await form({ token, password: GOOD, password_confirm: GOOD })).status).toBe(200);
  });

  it('failed checks from one address are limited, with Retry-After; a forged X-Forwarded-For does not escape it', async () => {
    const limited = await startTestResetd({ RATE_LIMIT_RESET_FAILURES: '3', RESETD_WORKER: 'off' });
    try {
      const bad = `${limited.url}/reset?token=${'B'.repeat(43)}`;
      const responses = [];
      for (let i = 0; i < 5; i++) responses.push(await fetch(bad, { headers: { 'x-forwarded-for': `198.51.100.${i}` } }));
      expect(responses.map((r) => r.status)).toEqual([410, 410, 410, 429, 429]);
      const retry = Number(responses[4]!.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(15 * 60);
    } finally {
      await limited.dispose();
    }
  });
});

it('the token never appears in the logs', async () => {
  await addUser(resetd, 'logged@example.com');
  const token = await requestToken(resetd, 'logged@example.com');
  await fetch(`${resetd.url}/reset?token=${token}`);
  await form({ token, password: GOOD, password_confirm: GOOD });
  expect(lines.length).toBeGreaterThan(0);
  expect(JSON.stringify(lines)).not.toContain(token);
});
