import { createHash } from 'node:crypto';
import type { Origin } from '../core/outbox-item.ts';
import type { PasswordRefusal } from '../core/password-policy.ts';
import { escapeHtml } from '../html/escape-html.ts';
import type { HtmlReply } from '../http/reply.ts';
import { passwordProblemMessages } from '../messages/password-problems.ts';
import type { PageLanguage, PageWords } from './page-words.ts';
import { PAGE_LANGUAGES } from './page-words.ts';

/**
 * The reset page: plain HTML forms that work without JavaScript, labelled fields, errors
 * announced (role="alert") and tied to their fields, one small inline stylesheet allowed by
 * its hash and nothing else: no scripts, no third-party anything but the product's logo
 * (allowed by its origin), no referrer, no caching. It speaks the account's language and
 * wears the product's name, logo and accent colour.
 */
const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1f2328}
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px}
.brand{margin:0 0 1.25rem;font-weight:600;color:#57606a}.brand img{display:block;max-height:48px;max-width:100%}
h1{font-size:1.5rem;margin:0 0 1rem}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #8c959f;border-radius:6px}
input[aria-invalid=true]{border-color:#cf222e}.help{color:#57606a;font-size:.9rem;margin:.25rem 0 0}
button,.button{display:inline-block;margin-top:1.5rem;padding:.7rem 1.2rem;font-size:1rem;background:var(--accent);color:#fff;border:0;border-radius:6px;cursor:pointer;text-decoration:none}
button:focus,input:focus,a:focus{outline:3px solid var(--accent);outline-offset:2px}
.alert{border:1px solid #cf222e;background:#ffebe9;padding:.75rem 1rem;border-radius:6px}.alert ul{margin:.25rem 0 0;padding-left:1.2rem}
.ok{border:1px solid #1a7f37;background:#dafbe1;padding:.75rem 1rem;border-radius:6px}`;

const DEFAULT_ACCENT = '#1f6feb';

/** How one product's pages look: from PRODUCT_NAME_<D>, LOGO_URL_<D>, ACCENT_COLOR_<D>, SIGN_IN_URL_<D>. */
export interface PageBrand {
  product: string;
  logoUrl: string | null;
  /** `#rgb` or `#rrggbb`; white text must be readable on it. */
  accentColor: string | null;
  /** Where "sign in" leads after a reset. */
  signInUrl: string | null;
}

/** What the pages need from the settings. */
export interface PageSettings {
  /** The path of PUBLIC_URL, so forms post back under a proxy's prefix too. */
  basePath: string;
  minLength: number;
  brands: Record<Origin, PageBrand>;
}

/** One page's setting: whose it is and in which language. */
export interface PageContext {
  basePath: string;
  minLength: number;
  brand: PageBrand;
  words: PageWords;
  /** Headers of this brand's pages (its stylesheet's hash, its logo's origin). */
  headers: Record<string, string>;
  style: string;
}

const looks = new WeakMap<PageBrand, { style: string; headers: Record<string, string> }>();

/** The page of `origin`'s product (resetd's own page when unknown) in `lang`. */
export function pageContext(settings: PageSettings, origin: Origin | null, lang: PageLanguage): PageContext {
  const brand = settings.brands[origin ?? 'resetd'] ?? settings.brands.resetd;
  let look = looks.get(brand);
  if (!look) {
    const style = `:root{--accent:${brand.accentColor ?? DEFAULT_ACCENT}}\n${STYLE}`;
    const hash = createHash('sha256').update(style).digest('base64');
    const image = brand.logoUrl ? ` img-src ${new URL(brand.logoUrl).origin};` : '';
    look = {
      style,
      headers: {
        'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${hash}';${image} form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
      },
    };
    looks.set(brand, look);
  }
  return { basePath: settings.basePath, minLength: settings.minLength, brand, words: PAGE_LANGUAGES[lang], ...look };
}

/** `ada@example.com` → `a•••@example.com`: enough to know which account, not enough to learn it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${[...email.slice(0, at)][0]}•••${email.slice(at)}`;
}

function page(ctx: PageContext, status: number, title: string, body: string, headers: Record<string, string> = {}): HtmlReply {
  const { brand } = ctx;
  const mark = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(ctx.words.logo(brand.product))}">`
    : escapeHtml(brand.product);
  const html = `<!doctype html>
<html lang="${ctx.words.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · ${escapeHtml(brand.product)}</title><style>${ctx.style}</style></head>
<body><main>
<p class="brand">${mark}</p>
${body}
</main></body></html>
`;
  return { status, html, headers: { ...ctx.headers, ...headers } };
}

function alert(ctx: PageContext, messages: readonly string[]): string {
  if (messages.length === 0) return '';
  const items = messages.map((message) => `<li>${escapeHtml(message)}</li>`).join('');
  return `<div class="alert" role="alert" id="errors"><strong>${escapeHtml(ctx.words.fixThis)}</strong><ul>${items}</ul></div>`;
}

/** The form to choose a new password for `email`'s account (shown masked), with the reasons of a refused attempt. */
export function choosePasswordPage(ctx: PageContext, token: string, email: string, errors: readonly string[] = [], status = 200): HtmlReply {
  const w = ctx.words.choose;
  const invalid = errors.length > 0 ? ' aria-invalid="true"' : '';
  const describedBy = errors.length > 0 ? 'errors password-help' : 'password-help';
  return page(ctx, status, w.title, `<h1>${escapeHtml(w.title)}</h1>
<p>${escapeHtml(w.forAccount(maskEmail(email)))}</p>
${alert(ctx, errors)}
<form method="post" action="${escapeHtml(ctx.basePath)}/reset">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<label for="password">${escapeHtml(w.password)}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${ctx.minLength}" maxlength="1024"${invalid} aria-describedby="${describedBy}">
<p class="help" id="password-help">${escapeHtml(w.help(ctx.minLength))}</p>
<label for="password_confirm">${escapeHtml(w.again)}</label>
<input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required maxlength="1024"${invalid}>
<button type="submit">${escapeHtml(w.submit)}</button>
</form>`);
}

/** The directory could not take the password: the same form, and the link still works. */
export function tryAgainSoonPage(ctx: PageContext, token: string, email: string, retryAfterSeconds: number): HtmlReply {
  const reply = choosePasswordPage(ctx, token, email, [ctx.words.tryAgainSoon], 503);
  return { ...reply, headers: { ...reply.headers, 'Retry-After': String(retryAfterSeconds) } };
}

export function weakPasswordMessages(ctx: PageContext, refusal: PasswordRefusal): string[] {
  return passwordProblemMessages(refusal, ctx.words.lang).map((problem) => problem.message);
}

/** One message for an unknown, expired or used link, and a way to ask for a new one. */
export function linkNotValidPage(ctx: PageContext): HtmlReply {
  const w = ctx.words.linkNotValid;
  return page(ctx, 410, w.title, `<h1>${escapeHtml(w.title)}</h1>
<p role="alert">${escapeHtml(w.text)}</p>
${newLinkForm(ctx)}`);
}

export function newLinkPage(ctx: PageContext, errors: readonly string[] = [], status = 200): HtmlReply {
  const title = ctx.words.newLink.title;
  return page(ctx, status, title, `<h1>${escapeHtml(title)}</h1>
${alert(ctx, errors)}
${newLinkForm(ctx, errors.length > 0)}`);
}

/** The new-link form again, when what was sent is not an address. */
export function addressRefusedPage(ctx: PageContext): HtmlReply {
  return newLinkPage(ctx, [ctx.words.newLink.refused], 400);
}

function newLinkForm(ctx: PageContext, invalid = false): string {
  const w = ctx.words.newLink;
  return `<form method="post" action="${escapeHtml(ctx.basePath)}/reset/request">
<label for="email">${escapeHtml(w.email)}</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254"${invalid ? ' aria-invalid="true" aria-describedby="errors"' : ''}>
<button type="submit">${escapeHtml(w.submit)}</button>
</form>`;
}

export function checkInboxPage(ctx: PageContext): HtmlReply {
  const w = ctx.words.checkInbox;
  return page(ctx, 200, w.title, `<h1>${escapeHtml(w.title)}</h1>
<p class="ok" role="status">${escapeHtml(w.text)}</p>`);
}

/** Done: and, where the product's sign-in page is known, the way back to it. */
export function passwordChangedPage(ctx: PageContext): HtmlReply {
  const w = ctx.words.changed;
  const signIn = ctx.brand.signInUrl ? `\n<a class="button" href="${escapeHtml(ctx.brand.signInUrl)}">${escapeHtml(w.signIn(ctx.brand.product))}</a>` : '';
  return page(ctx, 200, w.title, `<h1>${escapeHtml(w.title)}</h1>
<p class="ok" role="status">${escapeHtml(w.text)}</p>${signIn}`);
}

/** resetd failed inside (its store is down, say): the person is told to try again; nothing changed, so a link still works. */
export function serverErrorPage(ctx: PageContext): HtmlReply {
  const w = ctx.words.serverError;
  return page(ctx, 500, w.title, `<h1>${escapeHtml(w.title)}</h1>
<p role="alert">${escapeHtml(w.text)}</p>`);
}

export function tooManyFailuresPage(ctx: PageContext, retryAfterSeconds: number): HtmlReply {
  const w = ctx.words.tooMany;
  return page(ctx, 429, w.title, `<h1>${escapeHtml(w.title)}</h1>
<p role="alert">${escapeHtml(w.text(Math.ceil(retryAfterSeconds / 60)))}</p>`, { 'Retry-After': String(retryAfterSeconds) });
}
