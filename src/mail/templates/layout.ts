import { escapeHtml } from '../../html/escape-html.ts';

/**
 * The HTML frame every mail shares: one table, inline styles only (clients strip <style>
 * and block remote content), no images. Every interpolated value is escaped by the caller.
 */

export const STYLE = {
  paragraph: 'margin:0 0 16px;',
  small: 'margin:0 0 16px;font-size:14px;color:#57606a;',
  button: 'display:inline-block;padding:12px 20px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;',
  link: 'color:#1f6feb;word-break:break-all;',
};

export function htmlMail(lang: string, title: string, rows: readonly string[]): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2328;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;font-size:16px;line-height:24px;">
${rows.join('\n')}
</td></tr></table>
</body></html>
`;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
