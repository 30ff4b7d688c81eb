import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, screenshotPath } from '../support/browser.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { postJson } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';
import { seed } from '../support/admin.ts';
import { freePort } from '../support/ports.ts';

/**
 * A new user's walk, in a real browser: ask through a dialect, open the mail in the dev
 * mailbox, click, choose a password (after a refusal), see the confirmation; the same link
 * again shows the "no longer works" page.
 */
describe.skipIf(!hasChromium)('resetting a password in a real browser', () => {
  let browser: Browser;
  let resetd: TestResetd;

  beforeAll(async () => {
    const port = await freePort();
    resetd = await startTestResetd({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    await seed(resetd, ['walker@example.com']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await resetd?.dispose();
  });

  async function openNewestMailLink(page: Page): Promise<string> {
    await page.goto(`${resetd.url}/dev/mailbox`);
    await page.locator('tbody tr').first().getByRole('link').click();
    const link = page.locator('#text-part a');
    const href = (await link.getAttribute('href'))!;
    await link.click();
    await page.waitForURL((url) => url.href === href);
    return href;
  }

  it('request → mail → click → new password → confirmation; the same link again is refused', async () => {
    await postJson(resetd, '/api/v1/users.forgotPassword', { email: 'walker@example.com' });
    await until(() => resetd.mailbox!.list().length > 0);

    const page = await browser.newPage();
    // Statuses such as 400 and 410 are logged as errors too; only policy violations count here.
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const link = await openNewestMailLink(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');
    await page.screenshot({ path: screenshotPath('reset-1-form') });

    // A password the policy refuses: the form comes back with the reason announced.
    await page.getByLabel('New password', { exact: true }).fill('too short');
    await page.getByLabel('New password, again').fill('too short');
    await page.getByLabel('New password', { exact: true }).evaluate((input: HTMLInputElement) => input.removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Use at least 15 characters.');
    await page.screenshot({ path: screenshotPath('reset-2-refused') });

    await page.getByLabel('New password', { exact: true }).fill('correct horse battery staple');
    await page.getByLabel('New password, again').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Password changed');
    await page.screenshot({ path: screenshotPath('reset-3-done') });

    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link no longer works');
    expect(await page.getByLabel('Your email address').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('reset-4-used') });
    expect(errors.filter((text) => /Content Security Policy|Refused/i.test(text))).toEqual([]);
    await page.close();
  });
});
