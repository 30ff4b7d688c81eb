import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { addUser } from '../support/admin.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { requestLink } from '../support/tokens.ts';

/** The reset page speaks the account's language and wears its product's name, logo and colour, and leads back to its sign-in page. */
let resetd: TestResetd;
const ROCKETCHAT = '/api/v1/users.forgotPassword';
const GOOD = 'Marmalade Compass Thunder Fjord';

beforeAll(async () => {
  resetd = await startTestResetd({
    PRODUCT_NAME: 'Example Suite',
    SIGN_IN_URL: 'https://app.example.com/login',
    PRODUCT_NAME_CLOUDREVE: 'Acme Drive',
    LOGO_URL_CLOUDREVE: 'https://cdn.example.com/acme/logo.svg',
    ACCENT_COLOR_CLOUDREVE: '#B4005A',
    SIGN_IN_URL_CLOUDREVE: 'https://drive.example.com/session?next=%2F',
  });
  await addUser(resetd, 'ada@example.com', { locale: 'de' });
  await addUser(resetd, 'bob@example.com');
});
afterAll(() => resetd?.dispose());

async function open(link: URL | string, headers: Record<string, string> = {}) {
  const response = await fetch(link, { headers });
  return { response, html: await response.text() };
}

async function submit(link: URL, password: string, confirm = password) {
  const token = link.searchParams.get('token')!;
  const response = await fetch(`${resetd.url}/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, password, password_confirm: confirm }).toString(),
  });
  return { response, html: await response.text() };
}

const local = (link: URL) => new URL(`${link.pathname}${link.search}`, resetd.url);

describe('the reset page', () => {
  it('speaks the account’s stored language, whatever the browser asks for, and shows the account masked', async () => {
    const link = local(await requestLink(resetd, 'ada@example.com'));
    const { html } = await open(link, { 'accept-language': 'en-US,en;q=0.9' });
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Neues Passwort wählen');
    expect(html).toContain('Für das Konto a•••@example.com.');
    expect(html).not.toContain('ada@example.com');
    // A refused password is explained in the same language.
    const weak = await submit(link, 'kurz');
    expect(weak.html).toContain('Verwenden Sie mindestens');
    const differ = await submit(link, GOOD, `${GOOD}!`);
    expect(differ.html).toContain('Die beiden Passwörter unterscheiden sich.');
  });

  it('without a stored language, speaks the browser’s when it can, English otherwise', async () => {
    const link = local(await requestLink(resetd, 'bob@example.com', { path: ROCKETCHAT }));
    expect((await open(link, { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' })).html).toContain('<html lang="de">');
    expect((await open(link, { 'accept-language': 'fr-FR, fr;q=0.9' })).html).toContain('<html lang="en">');
    expect((await open(link)).html).toContain('For the account b•••@example.com.');
    expect((await open(`${resetd.url}/reset`, { 'accept-language': 'de' })).html).toContain('Passwort zurücksetzen');
  });

  it('wears a dialect’s product name, logo and accent colour, allowed by its CSP and nothing more', async () => {
    const link = local(await requestLink(resetd, 'bob@example.com'));
    const { response, html } = await open(link);
    expect(html).toContain('<img src="https://cdn.example.com/acme/logo.svg" alt="Acme Drive logo">');
    expect(html).toContain('· Acme Drive</title>');
    const style = html.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    expect(style).toContain('--accent:#b4005a');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(csp).toContain('img-src https://cdn.example.com;');
    expect(csp).toMatch(/^default-src 'none';/);
  });

  it('after a reset, leads back to the product’s sign-in page; without one of its own, to the site’s', async () => {
    const drive = await submit(local(await requestLink(resetd, 'bob@example.com')), GOOD);
    expect(drive.response.status).toBe(200);
    expect(drive.html).toContain('<a class="button" href="https://drive.example.com/session?next=%2F">Sign in to Acme Drive</a>');
    const chat = await submit(local(await requestLink(resetd, 'bob@example.com', { path: ROCKETCHAT })), `${GOOD} two`);
    expect(chat.html).toContain('href="https://app.example.com/login">Sign in to Rocket.Chat</a>');
    expect(chat.html).not.toContain('<img');
  });
});

describe('the page settings', () => {
  it.each([
    ['ACCENT_COLOR', 'red;}body{display:none'],
    ['ACCENT_COLOR_UNLEASH', '#12345'],
    ['SIGN_IN_URL_QUICKBLOX', 'javascript:alert(1)'],
    ['LOGO_URL', 'not a url'],
  ])('%s=%s is refused at start, naming the setting', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
