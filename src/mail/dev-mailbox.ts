import { randomBytes } from 'node:crypto';
import type { Transport } from 'nodemailer';
import type { SentMail } from './mime-message.ts';

/**
 * Where mail goes when no SMTP server is configured: kept in memory (never in the store,
 * since a mail holds a live reset link) so a newcomer can walk the flow at /dev/mailbox.
 * Only the newest messages are kept.
 */
export interface DevMessage {
  id: string;
  receivedAt: Date;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The header block exactly as it would have gone over SMTP. */
  headers: string;
}

export interface DevMailbox {
  transport: Transport;
  /** Newest first. */
  list(): readonly DevMessage[];
  get(id: string): DevMessage | undefined;
}

const KEEP = 500;

export function createDevMailbox(): DevMailbox {
  const messages: DevMessage[] = [];
  const transport: Transport = {
    name: 'resetd-dev-mailbox',
    version: '1',
    send(mail, callback) {
      mail.message.build((error, raw) => {
        if (error || !raw) return callback(error ?? new Error('empty message'), undefined as never);
        const text = raw.toString('utf8');
        const end = text.indexOf('\r\n\r\n');
        // resetd's mailer sends a raw message with its parts beside it (SentMail's view).
        const data = (mail.data as Partial<SentMail>).view ?? mail.data;
        messages.unshift({
          id: randomBytes(9).toString('base64url'),
          receivedAt: new Date(),
          from: String(data.from ?? ''),
          to: String(data.to ?? ''),
          subject: String(data.subject ?? ''),
          text: String(data.text ?? ''),
          html: String(data.html ?? ''),
          headers: end === -1 ? text : text.slice(0, end),
        });
        messages.length = Math.min(messages.length, KEEP);
        callback(null, {
          envelope: mail.message.getEnvelope(),
          messageId: mail.message.messageId(),
        } as never);
      });
    },
  };
  return {
    transport,
    list: () => messages,
    get: (id) => messages.find((message) => message.id === id),
  };
}
