import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, screenshotPath } from '../support/browser.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';

/** The docs page works with no network beyond resetd: every request it makes goes to resetd, and none is refused by its policy. */
describe.skipIf(!hasChromium)('/docs in a real browser', () => {
  let browser: Browser;
  let resetd: TestResetd;

  beforeAll(async () => {
    resetd = await startTestResetd({});
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await resetd?.dispose();
  });

  it('renders every dialect from resetd alone, asking no other host for anything', async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const blocked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== new URL(resetd.url).origin) elsewhere.push(request.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    await page.goto(`${resetd.url}/docs`);
    for (const product of ['Rocket.Chat', 'maiascore', 'Unleash', 'Cloudreve', 'QuickBlox']) {
      await page.getByRole('link', { name: product, exact: true }).first().waitFor();
    }
    await page.screenshot({ path: screenshotPath('docs-offline') });
    expect(elsewhere).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });
});
