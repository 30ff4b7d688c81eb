import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, launchBrowser } from '../support/browser.ts';
import type { ResetProxy } from '../support/reset-proxy.ts';
import { startResetProxy } from '../support/reset-proxy.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import type { UnleashServer } from '../support/unleash-server.ts';
import { startUnleashServer, UNLEASH_START_TIMEOUT_MS } from '../support/unleash-server.ts';
import { linkIn, mailsTo } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';

/**
 * Unleash's own front end (the one unleash-server bundles), in a real browser, with resetd
 * deployed as an operator would: a reverse proxy sends `/auth/reset/*` to resetd and
 * everything else to Unleash. The person asks on Unleash's "Forgot password?" page, follows
 * the mail to Unleash's reset page, which validates the link, checks the password as it is
 * typed and sets it, all answered by resetd; then signs in to Unleash with the new password.
 */
const CI = process.env.CI === 'true';
if (!hasChromium) {
  console.warn(
    CI
      ? `unleash front-end test: no chromium at ${CHROMIUM}, and CI=true: failing`
      : `unleash front-end test skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

const OLD = 'Analytical-Engine-1843';
// Unleash's rules (upper, lower, digit, symbol) and resetd's (15 characters, not common).
const NEW = 'Difference-Engine-No-2';
// Unleash's rules, but resetd wants 15 characters.
const SHORT = 'Engine-No-2';
const SHOTS = 'test-results/unleash-front-end';

describe.skipIf(!hasChromium && !CI)('Unleash’s own front end, with resetd behind a reverse proxy', () => {
  let unleash: UnleashServer;
  let proxy: ResetProxy;
  let resetd: TestResetd;
  let browser: Browser;

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI=true and no chromium at ${CHROMIUM}: this test must run there`);
    unleash = await startUnleashServer();
    await unleash.createUser({ email: 'ada@example.com', name: 'Ada Lovelace', password: OLD });
    proxy = await startResetProxy({ application: unleash.url });
    resetd = await startTestResetd({
      DIRECTORY: 'unleash',
      UNLEASH_URL: unleash.url,
      UNLEASH_API_TOKEN: unleash.adminToken,
      // Unleash's front end sends no key.
      API_KEYS_REQUIRED: 'maiascore,quickblox',
      RESET_PATH_UNLEASH: '/reset-password?token={token}',
      PUBLIC_URL: proxy.url,
    });
    proxy.targets.resetd = resetd.url;
    browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  }, UNLEASH_START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await resetd?.dispose();
    await unleash?.stop();
  });

  async function newPage(calls: string[]): Promise<Page> {
    const page = await browser.newPage();
    // Only the proxy: the page's Google Fonts links are refused, so nothing leaves the machine.
    await page.route((url) => url.origin !== proxy.url, (route) => route.abort());
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/auth/reset/')) calls.push(`${request.method()} ${url.pathname}`);
    });
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  it('Forgot password? → mail → Unleash’s reset page → sign in with the new password', async () => {
    const calls: string[] = [];
    const page = await newPage(calls);

    // 1. Unleash's login page, through the proxy.
    await page.goto(`${proxy.url}/login`);
    const forgot = page.getByRole('link', { name: 'Forgot password?' });
    await forgot.waitFor();
    await shot(page, '1-login');

    // 2. "Forgot password?": Unleash's form posts to /auth/reset/password-email, which resetd answers without a key.
    await forgot.click();
    await page.getByRole('heading', { name: 'Forgotten password' }).waitFor();
    await page.getByPlaceholder('email').fill('ada@example.com');
    const asked = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/reset/password-email');
    await page.getByRole('button', { name: 'Submit' }).click();
    const answer = await asked;
    expect(answer.status()).toBe(200);
    expect(await answer.json()).toEqual({});
    expect(answer.request().headers().authorization).toBeUndefined();
    await page.getByText('Attempted to send email').waitFor();
    await shot(page, '2-mail-sent');

    // 3. The mail, from resetd's dev mailbox: its link is Unleash's reset page, on the proxy.
    await until(() => mailsTo(resetd, 'ada@example.com').length > 0);
    const link = linkIn(mailsTo(resetd, 'ada@example.com')[0]!).href;
    expect(link.startsWith(`${proxy.url}/reset-password?token=`)).toBe(true);

    // 4. Unleash's reset page: it validates the token with resetd before showing the form.
    const validated = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/reset/validate');
    await page.goto(link);
    expect((await validated).status()).toBe(200);
    await page.getByRole('heading', { name: 'Reset password' }).waitFor();
    const password = page.getByPlaceholder('Password', { exact: true });
    const confirm = page.getByPlaceholder('Confirm password');
    const submit = page.getByRole('button', { name: 'Submit' });
    await shot(page, '3-reset-page');

    // 5. A password Unleash would take but resetd refuses (too short): validate-password says 400, Submit stays off.
    // Unleash 7.5.1's checker turns a bar red only for its own five sentences, so resetd's reason shows nowhere.
    let checked = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/reset/validate-password');
    await password.fill(SHORT);
    await confirm.fill(SHORT);
    const refused = await checked;
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({ name: 'OwaspValidationError', details: [{ validationErrors: ['Use at least 15 characters.'] }] });
    await page.getByText('Passwords match').waitFor();
    await expect.poll(() => submit.isDisabled()).toBe(true);
    await shot(page, '4-refused-by-resetd');

    // 6. A password both take: validate-password says 200, Submit turns on, and the page goes to Unleash's login, reporting success.
    checked = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/reset/validate-password');
    await password.fill(NEW);
    expect((await checked).status()).toBe(200);
    await confirm.fill(NEW);
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await shot(page, '5-accepted');
    const set = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/reset/password');
    await submit.click();
    expect((await set).status()).toBe(200);
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('reset') === 'true');
    await page.getByText('You successfully reset your password.').waitFor();
    await shot(page, '6-reset-done');

    // 7. Sign in on Unleash's login page with the new password: into the app.
    await page.getByLabel('Username or email').fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill(NEW);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.locator('header').getByTitle('ada@example.com').waitFor();
    const me = await page.request.get(`${proxy.url}/api/admin/user`);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('ada@example.com');
    await shot(page, '7-signed-in');

    expect(await unleash.login('ada@example.com', OLD)).toBe(401);
    expect(await unleash.login('ada@example.com', NEW)).toBe(200);
    expect(calls).toEqual([
      'POST /auth/reset/password-email',
      'GET /auth/reset/validate',
      'POST /auth/reset/validate-password',
      'POST /auth/reset/validate-password',
      'POST /auth/reset/password',
    ]);

    // 8. The same link again: resetd says the token was used, and Unleash's page says the link no longer works.
    const again = await newPage([]);
    await again.goto(link);
    await again.getByRole('heading', { name: 'Invalid token' }).waitFor();
    await shot(again, '8-link-used');
  }, 120_000);
});
