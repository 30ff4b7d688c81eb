import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { DevMailbox } from './dev-mailbox.ts';

/**
 * Real SMTP when `SMTP_URL` is set: pooled connections, reused across messages. Timeouts
 * stay well inside the worker's lease, so a stuck server fails the attempt (and it is
 * retried) before another worker could take the same mail over.
 */
export function smtpTransport(smtpUrl: string, leaseMs: number): Transporter {
  const limit = Math.max(1_000, Math.floor(leaseMs / 4));
  return nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 5,
    connectionTimeout: Math.min(limit, 10_000),
    greetingTimeout: Math.min(limit, 10_000),
    socketTimeout: limit,
  });
}

export function devMailboxTransport(mailbox: DevMailbox): Transporter {
  return nodemailer.createTransport(mailbox.transport);
}
