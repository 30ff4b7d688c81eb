import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type { Transport } from 'nodemailer';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import type { Envelope, SentMail } from './mime-message.ts';

/** Where the mailer hands a composed mail (mime-message.ts). */
export interface MailTransport {
  /** Resolves once the server has taken the mail; rejects with nodemailer's error (its responseCode tells a refusal). */
  send(mail: SentMail): Promise<void>;
  close(): void;
}

/**
 * Real SMTP when `SMTP_URL` is set: pooled connections, reused across messages. Ten
 * connections keep a backlog moving while each waits on the server's replies (five held
 * the worker to about 1,000 mails/s on loopback, mostly waiting); a connection is kept for
 * as long as the server keeps it, instead of a new one (and its greeting) every 100. Timeouts
 * stay well inside the worker's lease, so a stuck server fails the attempt (and it is
 * retried) before another worker could take the same mail over.
 */
export function smtpTransport(smtpUrl: string, leaseMs: number): MailTransport {
  const limit = Math.max(1_000, Math.floor(leaseMs / 4));
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 10,
    maxMessages: Number.POSITIVE_INFINITY,
    connectionTimeout: Math.min(limit, 10_000),
    greetingTimeout: Math.min(limit, 10_000),
    socketTimeout: limit,
  });
  const pool = transporter.transporter as Transport;
  return {
    // Straight to the pool, as nodemailer's sendMail ends: its composing steps before that
    // (a MimeNode around the raw text, with a random boundary it never uses, then a stream
    // pipeline whose end builds a DOMException) cost about 100 µs of CPU a mail, a sixth
    // of the worker's, for a text that is already final.
    send: (mail) => {
      const message = composed(mail.envelope, mail.messageId, Buffer.from(mail.raw, 'utf8'));
      return new Promise<void>((resolve, reject) => {
        pool.send(message, (error) => (error ? reject(error) : resolve()));
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * A composed mail as the pool reads a nodemailer message: its envelope, its Message-ID, and
 * a stream of the text (a new one each time: the pool sends a mail again over another
 * connection when the first closed before reading it). The text is kept as bytes, outside
 * V8's heap, and the strings it was built from are let go: a mail waits in the pool for
 * longer than the young generation's collections come, and its strings (the text, the parts
 * it was joined from, the rendered parts: about 10 KB a mail, sampled) were promoted with
 * it, to be collected only by a full collection.
 */
function composed(envelope: Envelope, messageId: string, bytes: Buffer): MailMessage {
  const message = {
    getHeader: (name: string) => (name.toLowerCase() === 'message-id' ? messageId : undefined),
    getEnvelope: () => envelope,
    messageId: () => messageId,
    createReadStream: () => {
      const stream = new Readable({ read() {} });
      stream.push(bytes);
      stream.push(null);
      return stream;
    },
  };
  return { data: {}, message } as unknown as MailMessage;
}
