import type { CaptchaImages, Clock } from './ports.ts';
import type { CaptchaStore } from './store.ts';
import { newSecret, sha256 } from './secrets.ts';

/** A ticket works once, for this long. */
export const CAPTCHA_TTL_MS = 5 * 60_000;

export interface CaptchaDeps {
  store: CaptchaStore;
  clock: Clock;
  images: CaptchaImages;
}

/** A new CAPTCHA: the image to show, and the ticket to send back with the answer. */
export async function issueCaptcha(deps: CaptchaDeps): Promise<{ image: string; ticket: string }> {
  const { image, answer } = deps.images.create();
  const ticket = newSecret();
  const now = deps.clock.now();
  await deps.store.addCaptchaTicket({ hash: sha256(ticket), answer: answer.toLowerCase(), expiresAt: new Date(now.getTime() + CAPTCHA_TTL_MS) }, now);
  return { image, ticket };
}

/**
 * Whether `answer` solves the ticket's CAPTCHA (letter case aside). The ticket is spent by
 * the check, right or wrong, so one image allows one guess.
 */
export async function solvesCaptcha(deps: Pick<CaptchaDeps, 'store' | 'clock'>, ticket: string, answer: string): Promise<boolean> {
  if (ticket.length === 0 || ticket.length > 200 || answer.length === 0) return false;
  const kept = await deps.store.takeCaptchaTicket(sha256(ticket));
  if (!kept || kept.expiresAt.getTime() <= deps.clock.now().getTime()) return false;
  return kept.answer === answer.trim().toLowerCase();
}
