import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPasswordChangedMail } from '../../src/mail/templates/password-changed-mail.ts';
import { renderResetMail } from '../../src/mail/templates/reset-mail.ts';
import { wordsFor } from '../../src/mail/templates/words.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { addUser, createApiKey } from '../support/admin.ts';
import { postJson } from '../support/tokens.ts';

const view = {
  product: 'Unleash',
  name: null,
  locale: 'en',
  link: 'https://reset.example.test/reset?token=abc',
  ttlSeconds: 1800,
  requestedAt: new Date('2026-11-23T10:00:00Z'),
  requestedFrom: '203.0.113.7',
};

describe('the reset mail', () => {
  it('has a text and an HTML part, each with the link, the lifetime, the origin and what to do if it was not you', () => {
    const mail = renderResetMail(view);
    expect(mail.subject).toBe('Reset your Unleash password');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(view.link);
      expect(part).toContain('This link works for 30 minutes');
      expect(part).toContain('203.0.113.7');
      expect(part).toContain('November 23, 2026');
      expect(part).toContain('If you did not ask for this, ignore this email');
    }
  });

  it('renders in mail clients: inline styles only, no remote images, no scripts', () => {
    const { html } = renderResetMail(view);
    expect(html).not.toMatch(/<style|<script|<img|<link|url\(/i);
    expect(html).toMatch(/style="/);
  });

  it('escapes what it interpolates into HTML', () => {
    const { html } = renderResetMail({ ...view, name: '<b>Eve</b> & "co"' });
    expect(html).toContain('&#60;b&#62;Eve&#60;/b&#62; &#38; &#34;co&#34;');
    expect(html).not.toContain('<b>Eve</b>');
  });

  it('speaks the user’s language, falling back from a region to its language, and to English', () => {
    expect(renderResetMail({ ...view, locale: 'de' }).subject).toBe('Ihr Unleash-Passwort zurücksetzen');
    expect(renderResetMail({ ...view, locale: 'de-AT' }).text).toContain('Dieser Link gilt 30 Minuten lang');
    expect(renderResetMail({ ...view, locale: 'xx' }).subject).toBe('Reset your Unleash password');
  });

  it('states lifetimes in words', () => {
    expect(wordsFor('en').duration(60)).toBe('1 minute');
    expect(wordsFor('en').duration(7200)).toBe('2 hours');
    expect(wordsFor('de').duration(3600)).toBe('60 Minuten');
  });
});

describe('the password-changed notice', () => {
  it('says when and from where, and what to do if it was not you', () => {
    const mail = renderPasswordChangedMail({ product: 'Cloudreve', name: 'Ada', locale: 'en', changedAt: view.requestedAt, changedFrom: '198.51.100.2' });
    expect(mail.subject).toBe('Your Cloudreve password was changed');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Hello Ada,');
      expect(part).toContain('198.51.100.2');
      expect(part).toContain('If you did not do this');
    }
  });
});

describe('a mail as sent', () => {
  let sink: SmtpSink;
  let resetd: TestResetd;

  beforeAll(async () => {
    sink = await startSmtpSink();
    resetd = await startTestResetd({
      SMTP_URL: sink.url,
      TRUSTED_PROXIES: '127.0.0.1',
      PRODUCT_NAME_UNLEASH: 'Feature Flags',
      MAIL_FROM_UNLEASH: 'Flags <flags@example.test>',
    });
    await addUser(resetd, 'Stored.Case@example.com', { locale: 'en' });
    await addUser(resetd, 'deutsch@example.com', { locale: 'de' });
  });

  afterAll(async () => {
    await resetd?.dispose();
    await sink?.close();
  });

  async function ask(email: string, headers: Record<string, string> = {}, path = '/api/v1/users.forgotPassword') {
    const mail = sink.mark();
    await postJson(resetd, path, { email }, headers);
    return mail.next();
  }

  it('goes to the stored address, and nothing the requester typed reaches a header', async () => {
    const mail = await ask('STORED.CASE@EXAMPLE.COM', {
      'x-forwarded-for': 'evil-injected-text, 127.0.0.1',
      'user-agent': 'evil-agent',
      'accept-language': 'evil-language',
    });
    expect(mail.to).toMatchObject({ text: 'Stored.Case@example.com' });
    const headers = mail.headerLines.map((line) => line.line).join('\n');
    expect(headers).not.toMatch(/evil|STORED\.CASE/);
    expect(mail.text).not.toContain('evil');
    expect(mail.text).toContain('https://reset.example.test/reset?token=');
    expect(mail.html).toBeTruthy();
  });

  it('carries a Message-ID derived from its outbox id and its token', async () => {
    const mail = await ask('stored.case@example.com');
    expect(mail.messageId).toMatch(/^<rr_[0-9a-f]+\.[0-9a-f]{16}@reset\.example\.test>$/);
  });

  it('speaks the stored locale', async () => {
    const mail = await ask('deutsch@example.com');
    expect(mail.subject).toBe('Ihr Rocket.Chat-Passwort zurücksetzen');
  });

  it('uses the configured product name and sender of its dialect', async () => {
    const key = await createApiKey(resetd, 'unleash');
    const mail = await ask('stored.case@example.com', { authorization: key }, '/auth/reset/password-email');
    expect(mail.subject).toBe('Reset your Feature Flags password');
    expect(mail.from).toMatchObject({ value: [{ name: 'Flags', address: 'flags@example.test' }] });
  });
});
