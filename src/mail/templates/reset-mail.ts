import { escapeHtml } from '../../html/escape-html.ts';
import { htmlMail, STYLE } from './layout.ts';
import type { RenderedMail } from './layout.ts';
import { formatMoment, wordsFor } from './words.ts';

/**
 * The reset mail: the link, how long it works, where the request came from, and what to do
 * if it was not you. The subject holds only the product name.
 */
export interface ResetMailView {
  product: string;
  name: string | null;
  locale: string | null;
  link: string;
  ttlSeconds: number;
  requestedAt: Date;
  requestedFrom: string | null;
}

export function renderResetMail(view: ResetMailView): RenderedMail {
  const words = wordsFor(view.locale);
  const greeting = words.greeting(view.name);
  const lifetime = words.reset.lifetime(words.duration(view.ttlSeconds));
  const origin = words.reset.origin(formatMoment(view.requestedAt, words), view.requestedFrom);
  const subject = words.reset.subject(view.product);
  const text = [greeting, '', words.reset.intro(view.product), '', view.link, '', lifetime, origin, '', words.reset.ignore, ''].join('\n');
  const link = escapeHtml(view.link);
  const html = htmlMail(words.lang, subject, [
    `<p style="${STYLE.paragraph}">${escapeHtml(greeting)}</p>`,
    `<p style="${STYLE.paragraph}">${escapeHtml(words.reset.intro(view.product))}</p>`,
    `<p style="margin:0 0 24px;"><a href="${link}" style="${STYLE.button}">${escapeHtml(words.reset.button)}</a></p>`,
    `<p style="${STYLE.small}">${escapeHtml(words.reset.paste)}<br><a href="${link}" style="${STYLE.link}">${link}</a></p>`,
    `<p style="${STYLE.small}">${escapeHtml(lifetime)} ${escapeHtml(origin)}</p>`,
    `<p style="${STYLE.small}">${escapeHtml(words.reset.ignore)}</p>`,
  ]);
  return { subject, text, html };
}
