import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, screenshotPath } from '../support/browser.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { postJson } from '../support/tokens.ts';
import { until } from '../support/waiting.ts';
import { seed } from '../support/admin.ts';
import { freePort } from '../support/ports.ts';

/** A newcomer's walk: ask for a reset, open the dev mailbox, open the newest mail, follow its link. */
describe.skipIf(!hasChromium)('the dev mailbox in a real browser', () => {
  let browser: Browser;
  let resetd: TestResetd;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    resetd = await startTestResetd({ PORT: String(port), PUBLIC_URL: publicUrl });
    await seed(resetd, ['older@example.com', 'newest@example.com']);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await resetd?.dispose();
  });

  const requestReset = (email: string) => postJson(resetd, '/api/v4/user/reset', { email });

  it('lists mail newest first, shows the newest, and its link leads to the reset page', async () => {
    await requestReset('older@example.com');
    await until(() => resetd.mailbox!.list().length === 1);
    await requestReset('newest@example.com');
    await until(() => resetd.mailbox!.list().length === 2);

    const page = await browser.newPage();
    await page.goto(`${resetd.url}/dev/mailbox`);
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('newest@example.com');
    await page.screenshot({ path: screenshotPath('dev-mailbox-list') });

    await rows.first().getByRole('link').click();
    await page.waitForURL(/\/dev\/mailbox\/[A-Za-z0-9_-]+$/);
    expect(await page.locator('h1').textContent()).toBe('Reset your Cloudreve password');
    const frame = page.frameLocator('iframe[title="HTML part"]');
    await expect.poll(() => frame.getByRole('link', { name: 'Choose a new password' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('dev-mailbox-message'), fullPage: true });

    const link = page.locator('#text-part a');
    const href = await link.getAttribute('href');
    expect(href).toMatch(new RegExp(`^${publicUrl}/reset\\?token=[A-Za-z0-9_-]{43}$`));
    await link.click();
    await page.waitForURL((url) => url.href === href);
    await page.close();
  });
});
