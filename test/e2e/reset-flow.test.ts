import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import type { TestResetd } from '../support/resetd.ts';
import { startTestResetd } from '../support/resetd.ts';
import { outboxSettled } from '../support/waiting.ts';
import { seed } from '../support/admin.ts';

/**
 * The whole request flow over real sockets: a user, a request through each dialect, one
 * mail at a real SMTP server on loopback, a link whose token only the mail knows.
 */
let sink: SmtpSink;
let resetd: TestResetd;
let keys: Awaited<ReturnType<typeof seed>>;
const PUBLIC_URL = 'https://reset.example.test';

beforeAll(async () => {
  sink = await startSmtpSink();
  resetd = await startTestResetd({ SMTP_URL: sink.url, PUBLIC_URL, MAIL_FROM: 'Accounts <accounts@example.test>' });
  keys = await seed(resetd, ['rocket@example.com', 'maia@example.com', 'unleash@example.com', 'cloud@example.com', 'qb@example.com']);
});

afterAll(async () => {
  await resetd?.dispose();
  await sink?.close();
});

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${resetd.url}${path}`, { method: 'POST', headers, body });

type Send = (email: string) => Promise<Response>;
const DIALECTS: [string, Send][] = [
  ['rocketchat', (email) => post('/api/v1/users.forgotPassword', JSON.stringify({ email }), { 'content-type': 'application/json' })],
  ['maiascore', (email) => post('/auth/forgot-password', `<item><id>${email}</id></item>`, { 'content-type': 'application/xml', authorization: `Bearer ${keys.maiascore}` })],
  ['unleash', (email) => post('/auth/reset/password-email', JSON.stringify({ email }), { 'content-type': 'application/json', authorization: keys.unleash })],
  ['cloudreve', (email) => post('/api/v4/user/reset', JSON.stringify({ email }), { 'content-type': 'application/json' })],
  ['quickblox', (email) => fetch(`${resetd.url}/users/password/reset.json?email=${encodeURIComponent(email)}`, { headers: { 'QB-Token': keys.quickblox } })],
];
const KNOWN: Record<string, string> = {
  rocketchat: 'rocket@example.com',
  maiascore: 'maia@example.com',
  unleash: 'unleash@example.com',
  cloudreve: 'cloud@example.com',
  quickblox: 'qb@example.com',
};


describe('a reset request through each dialect', () => {
  for (const [dialect, send] of DIALECTS) {
    it(`${dialect}: a registered address gets exactly one mail whose token only the mail holds`, async () => {
      const mails = sink.mark();
      const known = await send(KNOWN[dialect]!.toUpperCase());
      const unknown = await send(`nobody-${dialect}@example.com`);

      // Same status, same body, for a known and an unknown address.
      expect(known.status).toBe(unknown.status);
      expect(known.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
      const [knownBody, unknownBody] = [await known.text(), await unknown.text()];
      expect(knownBody.replace(/[0-9a-f-]{36}/g, '')).toBe(unknownBody.replace(/[0-9a-f-]{36}/g, ''));

      const mail = await mails.next();
      await outboxSettled(resetd); // both requests have had their mail sent or refused: a wrong one would be here
      expect(mails.since()).toHaveLength(1);
      expect(mail.to).toMatchObject({ text: KNOWN[dialect] });
      expect(mail.from!.value[0]).toMatchObject({ name: 'Accounts', address: 'accounts@example.test' });

      const link = mail.text!.match(/https?:\/\/\S+/)![0];
      expect(link.startsWith(`${PUBLIC_URL}/reset?token=`)).toBe(true);
      const token = new URL(link).searchParams.get('token')!;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url

      const hash = createHash('sha256').update(token).digest('hex');
      const [row] = await resetd.database.query<{ expires_at: number | string; created_at: number | string }>(
        'SELECT expires_at, created_at FROM reset_tokens WHERE hash = ?',
        hash,
      );
      expect(row).toBeDefined();
      expect(Number(row!.expires_at) - Number(row!.created_at)).toBe(1800 * 1000);
      expect(await resetd.database.dump()).not.toContain(token);
    });
  }

  it('the link never follows a forged Host header', async () => {
    const mails = sink.mark();
    await post('/api/v4/user/reset', JSON.stringify({ email: KNOWN.cloudreve }), {
      'content-type': 'application/json',
      host: 'attacker.example',
      'x-forwarded-host': 'attacker.example',
    });
    const mail = await mails.next();
    expect(mail.text).toContain(`${PUBLIC_URL}/reset?token=`);
    expect(mail.text).not.toContain('attacker');
    expect(mail.html).not.toContain('attacker');
  });
});
