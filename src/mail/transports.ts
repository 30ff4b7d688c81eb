import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { DevMailbox } from './dev-mailbox.ts';

/**
 * Real SMTP when `SMTP_URL` is set: pooled connections, reused across messages. Ten
 * connections keep a backlog moving while each waits on the server's replies (five held
 * the worker to about 1,000 mails/s on loopback, mostly waiting); a connection is kept for
 * as long as the server keeps it, instead of a new one (and its greeting) every 100. Timeouts
 * stay well inside the worker's lease, so a stuck server fails the attempt (and it is
 * retried) before another worker could take the same mail over.
 */
export function smtpTransport(smtpUrl: string, leaseMs: number): Transporter {
  const limit = Math.max(1_000, Math.floor(leaseMs / 4));
  return nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 10,
    maxMessages: Number.POSITIVE_INFINITY,
    connectionTimeout: Math.min(limit, 10_000),
    greetingTimeout: Math.min(limit, 10_000),
    socketTimeout: limit,
  });
}

export function devMailboxTransport(mailbox: DevMailbox): Transporter {
  return nodemailer.createTransport(mailbox.transport);
}
