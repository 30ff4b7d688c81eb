import type { Origin } from './outbox-item.ts';

/**
 * What the core needs from the outside world. Each port names the security or reliability
 * promise it carries; src/main.ts wires the real implementations. The store's ports are in store.ts, the
 * directory's in directory.ts.
 */

/** The reset mail for one user and one link; src/mail owns wording and transport. */
export interface ResetMail {
  /** The reset request this mail answers. */
  requestId: string;
  /**
   * This mail, for its Message-ID: the request and its token. A new token is a new mail (a
   * client folding duplicates must not keep a copy whose link is dead); the same mail sent
   * again keeps it.
   */
  messageKey: string;
  to: string;
  name: string | null;
  locale: string | null;
  origin: Origin;
  link: string;
  expiresAt: Date;
  requestedAt: Date;
  requestedFrom: string | null;
}

/** The notice that a password was changed, so an owner who did not do it can act. */
export interface PasswordChangedMail {
  /** The outbox item this mail answers: its Message-ID derives from it. */
  requestId: string;
  to: string;
  name: string | null;
  locale: string | null;
  origin: Origin;
  changedAt: Date;
  changedFrom: string | null;
}

/** Sends mail. Throws on failure; the error says whether a retry can help. */
export interface Mailer {
  sendResetMail(mail: ResetMail): Promise<void>;
  sendPasswordChangedMail(mail: PasswordChangedMail): Promise<void>;
}

/** Tells the host application that a user's password changed (HMAC-signed POST). */
export interface WebhookSender {
  send(body: string): Promise<void>;
}

/** A failed delivery (mail or webhook); `transient` says whether a retry can help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** false for a permanent refusal (5xx): retrying cannot help. */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Hashes passwords (argon2id) off the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
}

/**
 * Tells a stored password hash resetd can check (argon2, bcrypt, scrypt, Django pbkdf2_sha256,
 * within safe parameters) from one it cannot, without hashing anything: an import must not
 * store a hash that locks its user out or makes each login a denial of service.
 */
export interface HashFormats {
  /** null: readable; else why not, as a phrase after "password_hash" ("is not …"). */
  problem(hash: string): string | null;
}

/** Passwords attackers try first (a list of common and breached ones), compared case-insensitively. */
export interface CommonPasswords {
  has(password: string): boolean;
}

/** What makes a password easy to guess, in resetd's words (the messages say it to the person). */
export type GuessPattern = 'repeat' | 'sequence' | 'keyboard' | 'date' | 'common' | 'word' | 'known-name';

/**
 * Estimates how soon a guessing attack finds a password (zxcvbn-ts), so passwords that pass
 * the length rule and the blocklist but fall early (aaaa…, 1234…, qwerty…) are refused.
 */
export interface PasswordStrength {
  /**
   * `known`: lower-case words an attacker of this account tries first (the site's names, the
   * address). `score`: 0 (guessed at once) to 4 (beyond 10^10 guesses), as zxcvbn rates it.
   */
  estimate(password: string, known: readonly string[]): { score: 0 | 1 | 2 | 3 | 4; pattern: GuessPattern | null };
}

/**
 * Caps the reset mails one account receives. Over the cap a request is still accepted (the
 * requester cannot tell) but no mail goes out, so nobody can flood an inbox.
 */
export interface MailThrottle {
  /** Takes one mail from `account`'s allowance; false when none is left. */
  take(account: string): Promise<boolean>;
}

/**
 * Counts failed guesses per key (a client IP) to slow guessing down and make it visible.
 * Only failures are counted, after the lookup, so a valid link is never refused because its
 * neighbours behind the same address (NAT, a proxy) failed. A reset token is 256-bit random:
 * no rate of guessing reaches one, so this limit is about slowing and signalling (429s in the
 * logs), not about protecting the token space.
 */
export interface FailureLimiter {
  /**
   * Counts one failure against `key` in the same step as it checks the allowance, so failures
   * that arrive together are counted exactly. 0: within the allowance. Otherwise the seconds
   * until `key` has allowance again, answered only after a penalty delay.
   */
  fail(key: string): Promise<number>;
}

/** Draws CAPTCHA images locally: an image a person can read, and its answer. */
export interface CaptchaImages {
  create(): { image: string; answer: string };
}

/** Time, injected so tests can move it. */
export interface Clock {
  now(): Date;
}
