import type { Origin } from '../core/outbox-item.ts';
import type { Mailer, PasswordChangedMail, ResetMail } from '../core/ports.ts';
import { DeliveryError } from '../core/ports.ts';
import type { SentMail } from './mime-message.ts';
import { composeMessage } from './mime-message.ts';
import type { RenderedMail } from './templates/layout.ts';
import { renderPasswordChangedMail } from './templates/password-changed-mail.ts';
import { renderResetMail } from './templates/reset-mail.ts';
import type { MailTransport } from './transports.ts';

/** Who a mail is from, per origin: the product it speaks for and its sender address. */
export type Senders = Record<Origin, { product: string; from: string }>;

export interface MailerOptions {
  transport: MailTransport;
  senders: Senders;
  /** Host part of every Message-ID: the public URL's host. */
  messageIdDomain: string;
  tokenTtlSeconds: number;
}

/**
 * The core's Mailer over a nodemailer transport: words from the templates, headers from
 * stored data only (the stored address, the product's sender, a Message-ID derived from the
 * outbox id, and for a reset mail from its token too), and errors classified as transient
 * or permanent.
 */
export function createMailer(options: MailerOptions): Mailer {
  // Hands the mail over and returns the transport's promise without awaiting it: a suspended
  // frame would keep the mail's strings (the rendered parts, the text) until the server answers.
  const handOver = async (messageKey: string, origin: Origin, to: string, rendered: RenderedMail): Promise<void> => {
    const parts = { from: options.senders[origin].from, to, ...rendered, messageId: `<${messageKey}@${options.messageIdDomain}>`, date: new Date() };
    const { raw, envelope } = composeMessage(parts);
    // The raw message is what goes out. The dev mailbox shows the parts (`view`).
    const sent: SentMail = { raw, envelope, messageId: parts.messageId, view: parts };
    return options.transport.send(sent);
  };
  const send = (messageKey: string, origin: Origin, to: string, rendered: RenderedMail): Promise<void> =>
    handOver(messageKey, origin, to, rendered).catch((error: unknown) => {
      throw classify(error);
    });
  return {
    sendResetMail: (mail: ResetMail) =>
      send(mail.messageKey, mail.origin, mail.to, renderResetMail({
        product: options.senders[mail.origin].product,
        name: mail.name,
        locale: mail.locale,
        link: mail.link,
        ttlSeconds: options.tokenTtlSeconds,
        requestedAt: mail.requestedAt,
        requestedFrom: mail.requestedFrom,
      })),
    sendPasswordChangedMail: (mail: PasswordChangedMail) =>
      send(mail.requestId, mail.origin, mail.to, renderPasswordChangedMail({
        product: options.senders[mail.origin].product,
        name: mail.name,
        locale: mail.locale,
        changedAt: mail.changedAt,
        changedFrom: mail.changedFrom,
      })),
  };
}

/** 5xx replies are permanent refusals; 4xx, timeouts and refused connections may pass later. */
function classify(error: unknown): DeliveryError {
  const smtp = error as { responseCode?: number; message?: string };
  const message = smtp.message ?? String(error);
  const permanent = typeof smtp.responseCode === 'number' && smtp.responseCode >= 500;
  return new DeliveryError(message, !permanent);
}
