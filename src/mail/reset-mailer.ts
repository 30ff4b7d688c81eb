import type { Transporter } from 'nodemailer';
import type { Mailer, ResetMail } from '../core/ports.ts';
import { MailError } from '../core/ports.ts';
import { PRODUCT_NAMES } from './products.ts';
import { renderResetMail } from './reset-template.ts';

export interface ResetMailerOptions {
  transport: Transporter;
  from: string;
  /** Host part of every Message-ID: the public URL's host. */
  messageIdDomain: string;
  tokenTtlSeconds: number;
}

/** The core's Mailer over a nodemailer transport: words from the template, errors classified. */
export function createResetMailer(options: ResetMailerOptions): Mailer {
  return {
    async sendResetMail(mail: ResetMail) {
      const rendered = renderResetMail({
        product: PRODUCT_NAMES[mail.dialect],
        name: mail.name,
        link: mail.link,
        expiresAt: mail.expiresAt,
        requestedAt: mail.requestedAt,
        requestedFrom: mail.requestedFrom,
        ttlMinutes: Math.round(options.tokenTtlSeconds / 60),
      });
      try {
        await options.transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId: `<${mail.requestId}@${options.messageIdDomain}>`,
          date: new Date(),
        });
      } catch (error) {
        throw classify(error);
      }
    },
  };
}

/** 5xx replies are permanent refusals; 4xx, timeouts and refused connections may pass later. */
function classify(error: unknown): MailError {
  const smtp = error as { responseCode?: number; message?: string };
  const message = smtp.message ?? String(error);
  const permanent = typeof smtp.responseCode === 'number' && smtp.responseCode >= 500;
  return new MailError(message, !permanent);
}
