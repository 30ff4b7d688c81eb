import { randomUUID } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import { hasLongerLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import { encode, wrap } from 'nodemailer/lib/qp';

export interface MailParts {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date: Date;
}

/** The SMTP envelope: the sender and recipients the server is told, apart from the headers. */
export interface Envelope {
  from: string;
  to: string[];
}

/** What the mailer hands its transport: the raw message, its envelope and Message-ID, and the parts for the dev mailbox to show. */
export interface SentMail {
  raw: string;
  envelope: Envelope;
  messageId: string;
  view: MailParts;
}

/**
 * A reset mail or notice as the MIME text that goes over SMTP: multipart/alternative, a
 * text part and an HTML part, in UTF-8. The header block is nodemailer's (MimeNode: address
 * normalising, encoded words, folding, the boundary), and so are the body encoders; only
 * the tree is put together here, in one synchronous pass. nodemailer's composer built the
 * same mail through a stream per part and per encoder, about 460 µs of CPU a mail against
 * about 90 µs here, which held the worker to about 1,400 mails a second.
 */
export function composeMessage(mail: MailParts): { raw: string; envelope: Envelope } {
  // The boundary's random part from the buffered UUID pool, not a randomBytes call of its own.
  const root = new MimeNode('multipart/alternative', { newline: '\r\n', baseBoundary: randomUUID() });
  root.setHeader({ from: mail.from, to: mail.to, subject: mail.subject, 'message-id': mail.messageId, date: mail.date });
  const headers = root.buildHeaders();
  const { from, to } = root.getEnvelope();
  const boundary = root.boundary as string;
  const parts = [part('text/plain', mail.text), part('text/html', mail.html)].map((body) => `--${boundary}\r\n${body}\r\n`);
  return { raw: `${headers}\r\n\r\n${parts.join('')}--${boundary}--\r\n`, envelope: { from: from || '', to } };
}

/** One part, 7bit when it is plain ASCII in short lines (as nodemailer decides), else quoted-printable. */
function part(contentType: string, content: string): string {
  const body = content.replace(/\r?\n/g, '\r\n');
  const plain = isPlainText(body) && !hasLongerLines(body, 76);
  const encoded = plain ? body : wrap(encode(Buffer.from(body, 'utf8')), 76);
  return `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: ${plain ? '7bit' : 'quoted-printable'}\r\n\r\n${encoded}`;
}
