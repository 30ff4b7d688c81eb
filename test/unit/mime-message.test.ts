import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import type { MailParts } from '../../src/mail/mime-message.ts';
import { composeMessage } from '../../src/mail/mime-message.ts';

/** The MIME text of a mail, read back by a mail client's parser (mailparser): what a recipient sees. */
const base: MailParts = {
  from: 'Example <no-reply@example.org>',
  to: 'ada@example.com',
  subject: 'Reset your Example password',
  text: 'Hello Ada,\n\nopen this link:\nhttps://reset.example.org/reset?token=abc\n',
  html: '<p>Hello Ada,</p>\n<p><a href="https://reset.example.org/reset?token=abc">Choose a new password</a></p>\n',
  messageId: '<rr_1.abc@reset.example.org>',
  date: new Date('2031-03-01T12:00:00.000Z'),
};

describe('a composed mail', () => {
  it('reads back as the same sender, recipient, subject, id, date, text and HTML', async () => {
    const { raw, envelope } = composeMessage(base);
    const mail = await simpleParser(raw);
    expect(envelope).toEqual({ from: 'no-reply@example.org', to: ['ada@example.com'] });
    expect(mail.from?.value).toEqual([{ name: 'Example', address: 'no-reply@example.org' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: '', address: 'ada@example.com' }]);
    expect(mail.subject).toBe(base.subject);
    expect(mail.messageId).toBe(base.messageId);
    expect(mail.date).toEqual(base.date);
    expect(mail.text).toBe(base.text);
    expect(mail.html).toBe(base.html);
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
  });

  it('keeps words outside ASCII (subject, names, bodies) and long lines intact, in lines of at most 78 characters, CRLF only', async () => {
    const long = `Jemand möchte das Passwort Ihres Kontos zurücksetzen: https://reset.example.org/reset?token=${'x'.repeat(120)}`;
    const parts = {
      ...base,
      from: '"Exämple Cloud, Inc." <no-reply@example.org>',
      subject: 'Ihr „Exämple Cloud, Inc.“-Passwort zurücksetzen — mit einem recht langen Betreff, der gefaltet werden muss',
      text: `Hallo Ada Lovelace,\n\n${long}\n\n.eine Zeile mit Punkt\n`,
      html: `<p>Grüße, 你好</p>\n<p>${long}</p>\n`,
    };
    const { raw } = composeMessage(parts);
    const lines = raw.split('\r\n');
    expect(lines.every((line) => line.length <= 78)).toBe(true);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(raw).toMatch(/^Content-Transfer-Encoding: quoted-printable$/m);
    // Non-ASCII is encoded on the wire, never sent raw.
    expect([...raw].every((char) => char.charCodeAt(0) < 0x80)).toBe(true);
    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ name: 'Exämple Cloud, Inc.', address: 'no-reply@example.org' }]);
    expect(mail.subject).toBe(parts.subject);
    expect(mail.text).toBe(parts.text);
    expect(mail.html).toBe(parts.html);
  });

  it('sends plain ASCII in short lines as 7bit, as it is', () => {
    const { raw } = composeMessage({ ...base, html: '<p>Hello</p>\n' });
    expect(raw).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello Ada,\r\n\r\nopen this link:\r\n');
  });

  it.each([
    ['an international domain', { to: 'jörg@bücher.example' }],
    ['a display name with a comma and quotes', { from: '"Exämple \\"Cloud\\", Inc." <no-reply@example.org>' }],
    ['a long subject outside ASCII', { subject: `Ihr Passwort zurücksetzen ${'und noch länger '.repeat(6)}` }],
  ])('has the header block and envelope nodemailer composes, with %s', async (_, change) => {
    const parts = { ...base, ...change };
    const { raw, envelope } = composeMessage(parts);
    const node = new MailComposer({ ...parts, messageId: parts.messageId }).compile();
    const theirs = (await node.build()).toString();
    const headerBlock = (text: string) => text.slice(0, text.indexOf('\r\n\r\n')).replace(/boundary="[^"]+"/, 'boundary');
    expect(headerBlock(raw)).toBe(headerBlock(theirs));
    expect(envelope).toEqual(node.getEnvelope());
  });

  it('gives each mail a boundary of its own that appears in neither body', () => {
    const first = composeMessage(base).raw;
    const second = composeMessage(base).raw;
    const boundaryOf = (raw: string) => /boundary="([^"]+)"/.exec(raw)![1]!;
    expect(boundaryOf(first)).not.toBe(boundaryOf(second));
    expect(base.text.includes(boundaryOf(first)) || base.html.includes(boundaryOf(first))).toBe(false);
  });
});
