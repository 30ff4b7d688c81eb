/**
 * The reset mail's words, as a plain-text part and an HTML part that renders in common
 * clients (inline styles, no remote images). Everything interpolated is escaped for HTML;
 * nothing here reaches a header but the subject, which holds only the product name.
 */

export interface ResetMailView {
  product: string;
  name: string | null;
  link: string;
  expiresAt: Date;
  requestedAt: Date;
  requestedFrom: string | null;
  ttlMinutes: number;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderResetMail(view: ResetMailView): RenderedMail {
  const greeting = view.name ? `Hello ${view.name},` : 'Hello,';
  const origin = view.requestedFrom
    ? `It was requested on ${formatTime(view.requestedAt)} from the address ${view.requestedFrom}.`
    : `It was requested on ${formatTime(view.requestedAt)}.`;
  const lifetime = `This link works for ${view.ttlMinutes} minutes and only once.`;
  const ignore = 'If you did not ask for this, ignore this email: your password stays as it is.';
  const subject = `Reset your ${view.product} password`;
  const text = [
    greeting,
    '',
    `Someone asked to reset the password of your ${view.product} account. To choose a new password, open this link:`,
    '',
    view.link,
    '',
    lifetime,
    origin,
    '',
    ignore,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2328;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;font-size:16px;line-height:24px;">
<p style="margin:0 0 16px;">${escapeHtml(greeting)}</p>
<p style="margin:0 0 24px;">Someone asked to reset the password of your ${escapeHtml(view.product)} account. To choose a new password, use the button below.</p>
<p style="margin:0 0 24px;"><a href="${escapeHtml(view.link)}" style="display:inline-block;padding:12px 20px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">Choose a new password</a></p>
<p style="margin:0 0 16px;font-size:14px;color:#57606a;">Or paste this link into your browser:<br><a href="${escapeHtml(view.link)}" style="color:#1f6feb;word-break:break-all;">${escapeHtml(view.link)}</a></p>
<p style="margin:0 0 16px;font-size:14px;color:#57606a;">${escapeHtml(lifetime)} ${escapeHtml(origin)}</p>
<p style="margin:0;font-size:14px;color:#57606a;">${escapeHtml(ignore)}</p>
</td></tr></table>
</body></html>
`;
  return { subject, text, html };
}

function formatTime(at: Date): string {
  return at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
