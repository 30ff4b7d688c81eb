/** What a mail says, per language. Add a language by adding a catalogue and listing it below. */
export interface Words {
  /** BCP 47 tag, for `<html lang>` and date formatting. */
  lang: string;
  greeting(name: string | null): string;
  /** e.g. "30 minutes", "2 hours". */
  duration(seconds: number): string;
  reset: {
    subject(product: string): string;
    intro(product: string): string;
    button: string;
    paste: string;
    lifetime(duration: string): string;
    origin(at: string, ip: string | null): string;
    ignore: string;
  };
  changed: {
    subject(product: string): string;
    body(product: string, at: string): string;
    origin(ip: string | null): string;
    notYou: string;
  };
}

function minutesOrHours(seconds: number, minute: [string, string], hour: [string, string]): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 120) return `${minutes} ${minutes === 1 ? minute[0] : minute[1]}`;
  const hours = Math.round(minutes / 60);
  return `${hours} ${hours === 1 ? hour[0] : hour[1]}`;
}

const en: Words = {
  lang: 'en',
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  duration: (seconds) => minutesOrHours(seconds, ['minute', 'minutes'], ['hour', 'hours']),
  reset: {
    subject: (product) => `Reset your ${product} password`,
    intro: (product) => `Someone asked to reset the password of your ${product} account. To choose a new password, open this link:`,
    button: 'Choose a new password',
    paste: 'Or paste this link into your browser:',
    lifetime: (duration) => `This link works for ${duration} and only once.`,
    origin: (at, ip) => (ip ? `It was requested on ${at} from the address ${ip}.` : `It was requested on ${at}.`),
    ignore: 'If you did not ask for this, ignore this email: your password stays as it is.',
  },
  changed: {
    subject: (product) => `Your ${product} password was changed`,
    body: (product, at) => `The password of your ${product} account was changed on ${at}.`,
    origin: (ip) => (ip ? `The change came from the address ${ip}.` : ''),
    notYou: 'If you did not do this, reset your password now and tell your administrator.',
  },
};

const de: Words = {
  lang: 'de',
  greeting: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
  duration: (seconds) => minutesOrHours(seconds, ['Minute', 'Minuten'], ['Stunde', 'Stunden']),
  reset: {
    subject: (product) => `Ihr ${product}-Passwort zurücksetzen`,
    intro: (product) => `Jemand möchte das Passwort Ihres ${product}-Kontos zurücksetzen. Um ein neues Passwort zu wählen, öffnen Sie diesen Link:`,
    button: 'Neues Passwort wählen',
    paste: 'Oder kopieren Sie diesen Link in Ihren Browser:',
    lifetime: (duration) => `Dieser Link gilt ${duration} lang und nur einmal.`,
    origin: (at, ip) => (ip ? `Angefordert am ${at} von der Adresse ${ip}.` : `Angefordert am ${at}.`),
    ignore: 'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
  },
  changed: {
    subject: (product) => `Ihr ${product}-Passwort wurde geändert`,
    body: (product, at) => `Das Passwort Ihres ${product}-Kontos wurde am ${at} geändert.`,
    origin: (ip) => (ip ? `Die Änderung kam von der Adresse ${ip}.` : ''),
    notYou: 'Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück und informieren Sie Ihre Administration.',
  },
};

const CATALOGUES: Record<string, Words> = { en, de };

/** The catalogue for a stored locale: `de-AT` falls back to `de`, anything unknown to English. */
export function wordsFor(locale: string | null): Words {
  const language = (locale ?? 'en').split('-')[0]!.toLowerCase();
  return CATALOGUES[language] ?? en;
}

/** A moment as people read it, in UTC, in the mail's language. */
// Building a DateTimeFormat costs more than formatting with it: one per language, made once.
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatMoment(at: Date, words: Words): string {
  let format = formats.get(words.lang);
  if (!format) {
    format = new Intl.DateTimeFormat(words.lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
    formats.set(words.lang, format);
  }
  return `${format.format(at)} UTC`;
}
