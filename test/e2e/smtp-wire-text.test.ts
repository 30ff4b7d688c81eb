import { afterAll, beforeAll, expect, it } from 'vitest';
import { composeMessage } from '../../src/mail/mime-message.ts';
import { smtpTransport } from '../../src/mail/transports.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';

/**
 * The SMTP transport hands nodemailer's pool the mail as composed (transports.ts), not
 * through sendMail: what reaches the server must be that text, byte for byte, to the
 * envelope the mailer chose, over a pooled connection used more than once.
 */
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

it('the server receives the composed text unchanged and the composed envelope, mail after mail on one pool', async () => {
  const transport = smtpTransport(sink.url, 60_000);
  try {
    const mails = [1, 2, 3].map((n) => {
      const view = {
        from: 'Ünleash <no-reply@example.org>',
        to: `ana.${n}@example.com`,
        subject: `Réinitialisez votre mot de passe, a subject long enough to be folded over two lines (${n})`,
        // A line that starts with a dot travels dot-stuffed and must arrive as it was.
        text: `Hello\n.a line that starts with a dot\nhttps://reset.example.org/reset?token=${'x'.repeat(120)}\n`,
        html: '<p>Hello</p>\n.<p>dot</p>',
        messageId: `<rr_${n}.wire@reset.example.org>`,
        date: new Date('2031-03-01T12:00:00Z'),
      };
      const { raw, envelope } = composeMessage(view);
      return { raw, envelope, messageId: view.messageId, view };
    });
    for (const mail of mails) await transport.send(mail);
    expect(sink.wire.map((mail) => mail.text.toString('utf8'))).toEqual(mails.map((mail) => mail.raw));
    expect(sink.wire.map(({ from, to }) => ({ from, to }))).toEqual(mails.map(({ envelope: { from, to } }) => ({ from, to })));
  } finally {
    transport.close();
  }
});
