/**
 * Screenshots of the reset page for the README (docs/screenshots/): a real resetd on a
 * temporary SQLite file, links from its dev mailbox, pages drawn by Debian's chromium.
 * Run: npm run screenshots (needs chromium: apt-get install chromium).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log/logger.ts';
import { startResetd } from '../src/main.ts';

const ADMIN = 'screenshots-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'resetd-screenshots-'));
const out = 'docs/screenshots';
mkdirSync(out, { recursive: true });

const config = loadConfig({
  PORT: '0',
  DATABASE_URL: `sqlite:${join(dir, 'resetd.db')}`,
  RESETD_ADMIN_TOKEN: ADMIN,
  PRODUCT_NAME_CLOUDREVE: 'Acme Drive',
  ACCENT_COLOR_CLOUDREVE: '#b4005a',
  SIGN_IN_URL_CLOUDREVE: 'https://drive.example.com/login',
});
const resetd = await startResetd(config, { log: silentLogger });
const base = resetd.url!;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Asks for a reset through Cloudreve's endpoint and answers the link of the mail it brings. */
async function linkFor(email: string): Promise<string> {
  await post('/api/v4/user/reset', { email });
  for (let i = 0; i < 100; i++) {
    const mail = resetd.mailbox!.list().find((message) => message.to === email);
    const link = mail?.text.match(/https?:\/\/\S+/)?.[0];
    if (link) return `${base}${new URL(link).pathname}${new URL(link).search}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no mail to ${email}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const shoot = async (name: string, locale: string, go: (page: import('playwright-core').Page) => Promise<void>) => {
    const context = await browser.newContext({ viewport: { width: 640, height: 640 }, locale });
    const page = await context.newPage();
    await go(page);
    await page.screenshot({ path: join(out, `${name}.png`) });
    await context.close();
    console.log(`${out}/${name}.png`);
  };
  for (const [email, locale] of [['ada@example.com', 'en'], ['grete@example.com', 'de']] as const) {
    await post('/admin/users', { email, locale }, { authorization: `Bearer ${ADMIN}` });
  }
  await shoot('choose-password', 'en-US', async (page) => void (await page.goto(await linkFor('ada@example.com'))));
  await shoot('weak-password-de', 'en-US', async (page) => {
    await page.goto(await linkFor('grete@example.com'));
    await page.fill('#password', 'qwertzuiopasdfghjk');
    await page.fill('#password_confirm', 'qwertzuiopasdfghjk');
    await page.click('button[type=submit]');
  });
  await shoot('password-changed', 'en-US', async (page) => {
    await page.goto(await linkFor('ada@example.com'));
    await page.fill('#password', 'Marmalade Compass Thunder Fjord');
    await page.fill('#password_confirm', 'Marmalade Compass Thunder Fjord');
    await page.click('button[type=submit]');
  });
  await shoot('link-not-valid', 'de-DE', async (page) => void (await page.goto(`${base}/reset?token=${'A'.repeat(43)}`)));
} finally {
  await browser.close();
  await resetd.stop();
  rmSync(dir, { recursive: true, force: true });
}
