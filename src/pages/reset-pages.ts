import { createHash } from 'node:crypto';
import { passwordProblemMessages } from '../messages/password-problems.ts';
import type { PasswordRefusal } from '../core/password-policy.ts';
import { escapeHtml } from '../html/escape-html.ts';
import type { HtmlReply } from '../http/reply.ts';

/**
 * The reset page: plain HTML forms that work without JavaScript, labelled fields, errors
 * announced (role="alert") and tied to their fields, one small inline stylesheet allowed by
 * its hash and nothing else: no scripts, no third-party anything, no referrer, no caching.
 */
const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1f2328}
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px}
h1{font-size:1.5rem;margin:0 0 1rem}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #8c959f;border-radius:6px}
input[aria-invalid=true]{border-color:#cf222e}.help{color:#57606a;font-size:.9rem;margin:.25rem 0 0}
button{margin-top:1.5rem;padding:.7rem 1.2rem;font-size:1rem;background:#1f6feb;color:#fff;border:0;border-radius:6px;cursor:pointer}
button:focus,input:focus{outline:3px solid #0969da;outline-offset:2px}
.alert{border:1px solid #cf222e;background:#ffebe9;padding:.75rem 1rem;border-radius:6px}.alert ul{margin:.25rem 0 0;padding-left:1.2rem}
.ok{border:1px solid #1a7f37;background:#dafbe1;padding:.75rem 1rem;border-radius:6px}`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

export interface PageContext {
  /** The path of PUBLIC_URL, so forms post back under a proxy's prefix too. */
  basePath: string;
  minLength: number;
}

function page(status: number, title: string, body: string, headers: Record<string, string> = {}): HtmlReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body></html>
`;
  return { status, html, headers: { ...PAGE_HEADERS, ...headers } };
}

function alert(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  const items = messages.map((message) => `<li>${escapeHtml(message)}</li>`).join('');
  return `<div class="alert" role="alert" id="errors"><strong>Please fix this:</strong><ul>${items}</ul></div>`;
}

/** The form to choose a new password, with the reasons of a refused attempt. */
export function choosePasswordPage(ctx: PageContext, token: string, errors: readonly string[] = [], status = 200): HtmlReply {
  const invalid = errors.length > 0 ? ' aria-invalid="true"' : '';
  const describedBy = errors.length > 0 ? 'errors password-help' : 'password-help';
  return page(status, 'Choose a new password', `<h1>Choose a new password</h1>
${alert(errors)}
<form method="post" action="${escapeHtml(ctx.basePath)}/reset">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${ctx.minLength}" maxlength="1024"${invalid} aria-describedby="${describedBy}">
<p class="help" id="password-help">At least ${ctx.minLength} characters. Any characters are welcome, spaces too; a few words make a good one.</p>
<label for="password_confirm">New password, again</label>
<input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required maxlength="1024"${invalid}>
<button type="submit">Set new password</button>
</form>`);
}

/** The directory could not take the password: the same form, and the link still works. */
export function tryAgainSoonPage(ctx: PageContext, token: string, retryAfterSeconds: number): HtmlReply {
  const reply = choosePasswordPage(ctx, token, ['Your password could not be changed right now. Try again in a moment; this link still works.'], 503);
  return { ...reply, headers: { ...reply.headers, 'Retry-After': String(retryAfterSeconds) } };
}

export function weakPasswordMessages(refusal: PasswordRefusal): string[] {
  return passwordProblemMessages(refusal).map((problem) => problem.message);
}

/** One message for an unknown, expired or used link, and a way to ask for a new one. */
export function linkNotValidPage(ctx: PageContext): HtmlReply {
  return page(410, 'This link no longer works', `<h1>This link no longer works</h1>
<p role="alert">This password reset link has expired, has already been used, or is not valid. Ask for a new one below; the newest link is the only one that works.</p>
${newLinkForm(ctx)}`);
}

export function newLinkPage(ctx: PageContext, errors: readonly string[] = [], status = 200): HtmlReply {
  return page(status, 'Reset your password', `<h1>Reset your password</h1>
${alert(errors)}
${newLinkForm(ctx, errors.length > 0)}`);
}

/** The new-link form again, when what was sent is not an address. */
export function addressRefusedPage(ctx: PageContext): HtmlReply {
  return newLinkPage(ctx, ['Enter the email address of your account, such as ada@example.com.'], 400);
}

function newLinkForm(ctx: PageContext, invalid = false): string {
  return `<form method="post" action="${escapeHtml(ctx.basePath)}/reset/request">
<label for="email">Your email address</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254"${invalid ? ' aria-invalid="true" aria-describedby="errors"' : ''}>
<button type="submit">Email me a new link</button>
</form>`;
}

export function checkInboxPage(): HtmlReply {
  return page(200, 'Check your inbox', `<h1>Check your inbox</h1>
<p class="ok" role="status">If an account uses that address, a new link is on its way. It works once, for a limited time.</p>`);
}

export function passwordChangedPage(): HtmlReply {
  return page(200, 'Password changed', `<h1>Password changed</h1>
<p class="ok" role="status">Your password has been changed. You can now sign in with it. We have sent a confirmation to your email address.</p>`);
}

/** resetd failed inside (its store is down, say): the person is told to try again; nothing changed, so a link still works. */
export function serverErrorPage(): HtmlReply {
  return page(500, 'Something went wrong', `<h1>Something went wrong</h1>
<p role="alert">Your request could not be handled right now, and nothing was changed. Try again in a few minutes; a reset link you have still works.</p>`);
}

export function tooManyFailuresPage(retryAfterSeconds: number): HtmlReply {
  return page(429, 'Too many attempts', `<h1>Too many attempts</h1>
<p role="alert">Too many failed attempts came from your network. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute${retryAfterSeconds > 60 ? 's' : ''}.</p>`,
  { 'Retry-After': String(retryAfterSeconds) });
}
