/** What the reset page says, per language; the mails' languages (src/mail/templates/words.ts). */
export interface PageWords {
  lang: 'en' | 'de';
  fixThis: string;
  choose: { title: string; forAccount: (masked: string) => string; password: string; help: (min: number) => string; again: string; submit: string };
  differ: string;
  tryAgainSoon: string;
  linkNotValid: { title: string; text: string };
  newLink: { title: string; email: string; submit: string; refused: string };
  checkInbox: { title: string; text: string };
  changed: { title: string; text: string; signIn: (product: string) => string };
  serverError: { title: string; text: string };
  tooMany: { title: string; text: (minutes: number) => string };
  logo: (product: string) => string;
}

const en: PageWords = {
  lang: 'en',
  fixThis: 'Please fix this:',
  choose: {
    title: 'Choose a new password',
    forAccount: (masked) => `For the account ${masked}.`,
    password: 'New password',
    help: (min) => `At least ${min} characters. Any characters are welcome, spaces too; a few words make a good one.`,
    again: 'New password, again',
    submit: 'Set new password',
  },
  differ: 'The two passwords differ. Type the same password twice.',
  tryAgainSoon: 'Your password could not be changed right now. Try again in a moment; this link still works.',
  linkNotValid: {
    title: 'This link no longer works',
    text: 'This password reset link has expired, has already been used, or is not valid. Ask for a new one below; the newest link is the only one that works.',
  },
  newLink: {
    title: 'Reset your password',
    email: 'Your email address',
    submit: 'Email me a new link',
    refused: 'Enter the email address of your account, such as ada@example.com.',
  },
  checkInbox: { title: 'Check your inbox', text: 'If an account uses that address, a new link is on its way. It works once, for a limited time.' },
  changed: {
    title: 'Password changed',
    text: 'Your password has been changed. You can now sign in with it. We have sent a confirmation to your email address.',
    signIn: (product) => `Sign in to ${product}`,
  },
  serverError: {
    title: 'Something went wrong',
    text: 'Your request could not be handled right now, and nothing was changed. Try again in a few minutes; a reset link you have still works.',
  },
  tooMany: {
    title: 'Too many attempts',
    text: (minutes) => `Too many failed attempts came from your network. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
  },
  logo: (product) => `${product} logo`,
};

const de: PageWords = {
  lang: 'de',
  fixThis: 'Bitte korrigieren Sie:',
  choose: {
    title: 'Neues Passwort wählen',
    forAccount: (masked) => `Für das Konto ${masked}.`,
    password: 'Neues Passwort',
    help: (min) => `Mindestens ${min} Zeichen. Alle Zeichen sind erlaubt, auch Leerzeichen; ein paar Wörter ergeben ein gutes Passwort.`,
    again: 'Neues Passwort wiederholen',
    submit: 'Neues Passwort setzen',
  },
  differ: 'Die beiden Passwörter unterscheiden sich. Geben Sie zweimal dasselbe Passwort ein.',
  tryAgainSoon: 'Ihr Passwort konnte gerade nicht geändert werden. Versuchen Sie es gleich noch einmal; dieser Link gilt weiter.',
  linkNotValid: {
    title: 'Dieser Link gilt nicht mehr',
    text: 'Dieser Link ist abgelaufen, wurde schon benutzt oder ist ungültig. Fordern Sie unten einen neuen an; nur der neueste Link gilt.',
  },
  newLink: {
    title: 'Passwort zurücksetzen',
    email: 'Ihre E-Mail-Adresse',
    submit: 'Neuen Link senden',
    refused: 'Geben Sie die E-Mail-Adresse Ihres Kontos ein, etwa ada@example.com.',
  },
  checkInbox: { title: 'Sehen Sie in Ihr Postfach', text: 'Wenn ein Konto diese Adresse nutzt, ist ein neuer Link unterwegs. Er gilt einmal und nur für kurze Zeit.' },
  changed: {
    title: 'Passwort geändert',
    text: 'Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden. Eine Bestätigung ist an Ihre E-Mail-Adresse unterwegs.',
    signIn: (product) => `Bei ${product} anmelden`,
  },
  serverError: {
    title: 'Etwas ist schiefgegangen',
    text: 'Ihre Anfrage konnte gerade nicht bearbeitet werden, und nichts wurde geändert. Versuchen Sie es in ein paar Minuten noch einmal; Ihr Link gilt weiter.',
  },
  tooMany: {
    title: 'Zu viele Versuche',
    text: (minutes) => `Aus Ihrem Netz kamen zu viele fehlgeschlagene Versuche. Versuchen Sie es in ${minutes} Minute${minutes > 1 ? 'n' : ''} noch einmal.`,
  },
  logo: (product) => `${product}-Logo`,
};

export const PAGE_LANGUAGES = { en, de } as const;
export type PageLanguage = keyof typeof PAGE_LANGUAGES;

/** A stored locale's language when the page speaks it (`de-AT` → de), else null. */
export function pageLanguageOf(locale: string | null | undefined): PageLanguage | null {
  const language = locale?.split('-')[0]?.toLowerCase();
  return language !== undefined && Object.hasOwn(PAGE_LANGUAGES, language) ? (language as PageLanguage) : null;
}
