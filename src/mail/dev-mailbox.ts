import { randomBytes } from 'node:crypto';
import type { SentMail } from './mime-message.ts';
import type { MailTransport } from './transports.ts';

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

/** The worker's transport when there is no SMTP server: `send` keeps the mail as it would have gone out. */
export interface DevMailbox extends MailTransport {
  /** Newest first. */
  list(): readonly DevMessage[];
  get(id: string): DevMessage | undefined;
}

const KEEP = 500;

export function createDevMailbox(): DevMailbox {
  const messages: DevMessage[] = [];
  return {
    async send(mail: SentMail) {
      const end = mail.raw.indexOf('\r\n\r\n');
      const { view } = mail;
      messages.unshift({
        id: randomBytes(9).toString('base64url'),
        receivedAt: new Date(),
        from: view.from,
        to: view.to,
        subject: view.subject,
        text: view.text,
        html: view.html,
        headers: end === -1 ? mail.raw : mail.raw.slice(0, end),
      });
      messages.length = Math.min(messages.length, KEEP);
    },
    close() {},
    list: () => messages,
    get: (id) => messages.find((message) => message.id === id),
  };
}
