import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { DevMailbox } from './dev-mailbox.ts';

/** Real SMTP when `SMTP_URL` is set: a pooled connection, reused across messages. */
export function smtpTransport(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  url.searchParams.set('pool', 'true');
  return nodemailer.createTransport(url.toString());
}

export function devMailboxTransport(mailbox: DevMailbox): Transporter {
  return nodemailer.createTransport(mailbox.transport);
}
