import type { DevMailbox, DevMessage } from '../mail/dev-mailbox.ts';
import { escapeHtml } from '../html/escape-html.ts';

/** The HTML pages of /dev/mailbox: a list, newest first, and one message with its links live. */

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d0d7de}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}
iframe{width:100%;height:34rem;border:1px solid #d0d7de;border-radius:6px}
.note{color:#57606a}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

export function mailboxListPage(mailbox: DevMailbox): string {
  const messages = mailbox.list();
  const rows = messages
    .map(
      (m) => `<tr><td>${escapeHtml(m.receivedAt.toISOString())}</td><td>${escapeHtml(m.to)}</td>
<td><a href="/dev/mailbox/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n');
  return page(
    'resetd dev mailbox',
    `<h1>Dev mailbox</h1>
<p class="note">No SMTP server is configured, so resetd keeps its mail here (in memory, newest first). Set <code>SMTP_URL</code> to send real mail.</p>
${messages.length === 0 ? '<p>No mail yet. Ask for a password reset for a registered address.</p>' : `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`}`,
  );
}

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

/** Plain text with its URLs made into links, everything else escaped. */
function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const at = match.index ?? 0;
    out += escapeHtml(text.slice(last, at));
    out += `<a href="${escapeHtml(match[0])}">${escapeHtml(match[0])}</a>`;
    last = at + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

export function mailboxMessagePage(message: DevMessage): string {
  // The HTML part runs in a sandboxed frame: no scripts, links open in a new tab.
  const framed = message.html.replace(/<head>/i, '<head><base target="_blank">');
  return page(
    message.subject,
    `<p><a href="/dev/mailbox">← all mail</a></p>
<h1>${escapeHtml(message.subject)}</h1>
<table><tbody>
<tr><th>From</th><td>${escapeHtml(message.from)}</td></tr>
<tr><th>To</th><td>${escapeHtml(message.to)}</td></tr>
<tr><th>Received</th><td>${escapeHtml(message.receivedAt.toISOString())}</td></tr>
</tbody></table>
<h2>Text</h2>
<pre id="text-part">${linkify(message.text)}</pre>
${message.html ? `<h2>HTML</h2><iframe title="HTML part" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escapeHtml(framed)}"></iframe>` : ''}
<h2>Headers</h2>
<pre>${escapeHtml(message.headers)}</pre>`,
  );
}
