import { escapeHtml } from '../../html/escape-html.ts';
import { htmlMail, STYLE } from './layout.ts';
import type { RenderedMail } from './layout.ts';
import { formatMoment, wordsFor } from './words.ts';

/** The notice after a completed reset: when, from where, and what to do if it was not you. */
export interface PasswordChangedView {
  product: string;
  name: string | null;
  locale: string | null;
  changedAt: Date;
  changedFrom: string | null;
}

export function renderPasswordChangedMail(view: PasswordChangedView): RenderedMail {
  const words = wordsFor(view.locale);
  const greeting = words.greeting(view.name);
  const body = words.changed.body(view.product, formatMoment(view.changedAt, words));
  const origin = words.changed.origin(view.changedFrom);
  const subject = words.changed.subject(view.product);
  const text = [greeting, '', body, origin, '', words.changed.notYou, ''].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
  const html = htmlMail(words.lang, subject, [
    `<p style="${STYLE.paragraph}">${escapeHtml(greeting)}</p>`,
    `<p style="${STYLE.paragraph}">${escapeHtml(body)}${origin ? ` ${escapeHtml(origin)}` : ''}</p>`,
    `<p style="${STYLE.small}">${escapeHtml(words.changed.notYou)}</p>`,
  ]);
  return { subject, text, html };
}
