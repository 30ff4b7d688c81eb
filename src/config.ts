import type { PageBrand } from './pages/reset-pages.ts';
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import proxyaddr from 'proxy-addr';
import type { DialectName } from './core/dialects.ts';
import { DIALECTS, isDialect } from './core/dialects.ts';
import type { Origin } from './core/outbox-item.ts';
import { PASSWORD_MIN_FLOOR } from './core/password-policy.ts';
import { DEFAULT_RESET_PATH } from './core/settings.ts';
import type { Senders } from './mail/mailer.ts';
import { DIALECT_TABLE } from './dialects/index.ts';
import type { DirectorySettings } from './directory/directory-settings.ts';
import type { LogFormat, LogLevel } from './log/logger.ts';
import { LOG_FORMATS, LOG_LEVELS } from './log/logger.ts';
import { DIRECTORY_SECRET_SETTINGS, DIRECTORY_SETTING_NAMES, readDirectorySettings } from './directory/directory-settings.ts';

/**
 * Every setting, its default, and its check. Settings come from the environment; a JSON
 * file named by RESETD_CONFIG may set the same keys (the environment wins). A bad value
 * stops resetd at start with a message naming the setting.
 */
export interface Config {
  port: number;
  /** Where to listen: loopback by default without SMTP_URL, every interface with it. */
  host: string;
  publicUrl: string;
  databaseUrl: string;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  smtpUrl: string | null;
  mailFrom: string;
  adminToken: string | null;
  dialects: ReadonlySet<DialectName>;
  /** Dialects whose reset request must carry one of resetd's API keys; the others take none (a key that is sent is still checked). */
  apiKeysRequired: ReadonlySet<DialectName>;
  tokenTtlSeconds: number;
  rateLimitIp: number;
  trustedProxies: readonly string[];
  /** production: no dev mailbox, even without SMTP. */
  production: boolean;
  /** Mail kept at /dev/mailbox, readable without login: by default only on loopback, without SMTP, outside production. */
  devMailbox: boolean;
  /** The least severe log lines written. */
  logLevel: LogLevel;
  /** JSON lines, readable lines, or `auto`: readable on a terminal outside production. */
  logFormat: LogFormat;
  mailMaxAttempts: number;
  mailRetryBaseMs: number;
  /** How long a worker's claim on a mail holds before another worker may take it over. */
  mailLeaseMs: number;
  /** Mails a worker claims, and sends concurrently, at once. */
  mailBatchSize: number;
  /** Days finished outbox items, spent tokens and client IPs are kept before the worker deletes them. */
  retentionDays: number;
  /** Product name and sender of each origin's mail. */
  senders: Senders;
  /** How each origin's reset page looks (product, logo, accent colour) and where it leads after a reset. */
  brands: Record<Origin, PageBrand>;
  /** Per origin, the reset page path on PUBLIC_URL that the mail links to. */
  resetPaths: Record<Origin, string>;
  passwordMinLength: number;
  /** Where to POST a signed notice after each completed reset, and the HMAC key. */
  webhookUrl: string | null;
  webhookSecret: string | null;
  /** Failed token checks one client IP may make per 15 minutes. */
  rateLimitResetFailures: number;
  /** Failed password checks (POST /api/auth/verify) per account and per client IP within the window; 0: no limit. */
  verifyLimits: { perAccount: number; perIp: number; windowSeconds: number };
  /** Wrong admin tokens one client IP may send per 15 minutes; past it, 429. */
  rateLimitAdminFailures: number;
  /** Requests per minute with one API key; 0: no limit. */
  rateLimitApiKey: number;
  /** Reset mails one account may receive per minute and per hour; 0: no limit. */
  rateLimitEmailPerMinute: number;
  rateLimitEmailPerHour: number;
  /** Run the outbox worker in this process. */
  worker: boolean;
  /** Cloudreve's reset request must carry a solved CAPTCHA. */
  cloudreveCaptcha: boolean;
  /** Where the accounts live, and how to reach them. */
  directory: DirectorySettings;
  /** Seconds requests in flight get to finish after SIGTERM or SIGINT before they are cut. */
  shutdownTimeoutSeconds: number;
  /** GET /metrics on the main port needs this bearer token; null: off there (404). */
  metricsToken: string | null;
  /** A separate port that serves /metrics without a token (0: any free port); null: none. */
  metricsPort: number | null;
  /** Where that port listens. */
  metricsHost: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`resetd cannot start, its settings are wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

export function loadConfig(env: Source = process.env): Config {
  const problems: string[] = [];
  const source = { ...readConfigFile(env.RESETD_CONFIG, problems), ...definedOnly(env) };
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | Problem): T => {
    const raw = source[name];
    if (raw === undefined || raw === '') return fallback;
    const value = parse(raw);
    if (isProblem(value)) {
      const shown = SECRET_SETTINGS.has(name) ? 'a value that is not shown' : JSON.stringify(raw);
      problems.push(`${name}: ${value.problem} (got ${shown})`);
      return fallback;
    }
    return value as T;
  };

  const port = read('PORT', 8080, integer(0, 65535));
  const smtp = read<string | null>('SMTP_URL', null, smtpUrl);
  // Without SMTP the dev mailbox holds the reset links: by default, only this machine may ask.
  const host = read('HOST', smtp === null ? '127.0.0.1' : '0.0.0.0', (raw) => raw.trim());
  const production = read('NODE_ENV', false, (raw) => raw.trim().toLowerCase() === 'production');
  const devMailboxAsked = read<boolean | null>('DEV_MAILBOX', null, onOff);
  const config: Config = {
    port,
    host,
    publicUrl: read('PUBLIC_URL', `http://localhost:${port}`, httpUrl),
    databaseUrl: read('DATABASE_URL', 'sqlite:./data/resetd.db', databaseUrl),
    databasePoolSize: read('DATABASE_POOL_SIZE', 10, integer(1, 200)),
    smtpUrl: smtp,
    mailFrom: read('MAIL_FROM', 'resetd <no-reply@localhost>', mailFrom),
    adminToken: read<string | null>('RESETD_ADMIN_TOKEN', null, adminToken),
    dialects: read<ReadonlySet<DialectName>>('RESETD_DIALECTS', new Set(DIALECTS), dialectList),
    apiKeysRequired: read<ReadonlySet<DialectName>>('API_KEYS_REQUIRED', new Set(KEYED_DIALECTS), keyedDialectList),
    tokenTtlSeconds: read('RESET_TOKEN_TTL', 1800, integer(60, 86_400)),
    rateLimitIp: read('RATE_LIMIT_IP', 30, integer(0, 1_000_000)),
    trustedProxies: read<readonly string[]>('TRUSTED_PROXIES', [], proxyList),
    production,
    devMailbox: devMailboxAsked ?? (smtp === null && isLoopback(host) && !production),
    logLevel: read<LogLevel>('LOG_LEVEL', 'info', oneOf(LOG_LEVELS)),
    logFormat: read<LogFormat>('LOG_FORMAT', 'auto', oneOf(LOG_FORMATS)),
    mailMaxAttempts: read('MAIL_MAX_ATTEMPTS', 8, integer(1, 100)),
    mailRetryBaseMs: read('MAIL_RETRY_BASE_MS', 30_000, integer(10, 3_600_000)),
    mailLeaseMs: read('MAIL_LEASE_MS', 60_000, integer(1_000, 3_600_000)),
    mailBatchSize: read('MAIL_BATCH_SIZE', 50, integer(1, 1_000)),
    retentionDays: read('RETENTION_DAYS', 30, integer(1, 3_650)),
    senders: {} as Senders,
    resetPaths: {} as Record<Origin, string>,
    brands: {} as Record<Origin, PageBrand>,
    passwordMinLength: read('PASSWORD_MIN_LENGTH', 15, integer(PASSWORD_MIN_FLOOR, 128)),
    webhookUrl: read<string | null>('WEBHOOK_URL', null, httpUrl),
    webhookSecret: read<string | null>('WEBHOOK_SECRET', null, secret),
    rateLimitResetFailures: read('RATE_LIMIT_RESET_FAILURES', 10, integer(1, 10_000)),
    verifyLimits: {
      perAccount: read('RATE_LIMIT_VERIFY_FAILURES', 10, integer(0, 10_000)),
      perIp: read('RATE_LIMIT_VERIFY_FAILURES_IP', 100, integer(0, 1_000_000)),
      windowSeconds: read('RATE_LIMIT_VERIFY_WINDOW', 900, integer(1, 86_400)),
    },
    rateLimitAdminFailures: read('RATE_LIMIT_ADMIN_FAILURES', 10, integer(1, 10_000)),
    rateLimitApiKey: read('RATE_LIMIT_API_KEY', 600, integer(0, 1_000_000)),
    rateLimitEmailPerMinute: read('RATE_LIMIT_EMAIL_PER_MINUTE', 1, integer(0, 1_000)),
    rateLimitEmailPerHour: read('RATE_LIMIT_EMAIL_PER_HOUR', 5, integer(0, 10_000)),
    worker: read('RESETD_WORKER', true, onOff),
    cloudreveCaptcha: read('CLOUDREVE_CAPTCHA', false, onOff),
    directory: readDirectorySettings(source, problems),
    shutdownTimeoutSeconds: read('SHUTDOWN_TIMEOUT', 10, integer(1, 3_600)),
    metricsToken: read<string | null>('METRICS_TOKEN', null, secret),
    metricsPort: read<number | null>('METRICS_PORT', null, integer(0, 65535)),
    // Metrics without a token: only this machine by default, whatever HOST says.
    metricsHost: read('METRICS_HOST', '127.0.0.1', (raw) => raw.trim()),
  };
  // resetd's own page speaks for the application as a whole: its host name by default.
  config.senders.resetd = {
    product: read('PRODUCT_NAME', new URL(config.publicUrl).hostname, productName),
    from: config.mailFrom,
  };
  const brandOf = (suffix: string, product: string, fallback: PageBrand | null): PageBrand => ({
    product,
    logoUrl: read(`LOGO_URL${suffix}`, fallback?.logoUrl ?? null, anyHttpUrl),
    accentColor: read(`ACCENT_COLOR${suffix}`, fallback?.accentColor ?? null, hexColour),
    signInUrl: read(`SIGN_IN_URL${suffix}`, fallback?.signInUrl ?? null, anyHttpUrl),
  });
  config.brands.resetd = brandOf('', config.senders.resetd.product, null);
  config.resetPaths.resetd = DEFAULT_RESET_PATH;
  for (const dialect of DIALECTS) {
    const suffix = dialect.toUpperCase();
    config.senders[dialect] = {
      product: read(`PRODUCT_NAME_${suffix}`, DIALECT_TABLE[dialect].product, productName),
      from: read(`MAIL_FROM_${suffix}`, config.mailFrom, mailFrom),
    };
    config.resetPaths[dialect] = read(`RESET_PATH_${suffix}`, DEFAULT_RESET_PATH, resetPath);
    // A dialect's page falls back to the site-wide look, with its own product name.
    config.brands[dialect] = brandOf(`_${suffix}`, config.senders[dialect].product, config.brands.resetd);
  }
  if (config.webhookUrl !== null && config.webhookSecret === null) {
    problems.push('WEBHOOK_SECRET: must be set when WEBHOOK_URL is (the body is signed with it)');
  }
  if (devMailboxAsked === true && production) {
    problems.push('DEV_MAILBOX: must not be on when NODE_ENV=production (it shows reset links to anyone who reaches the port)');
  }
  if (devMailboxAsked === true && smtp !== null) {
    problems.push('DEV_MAILBOX: must not be on when SMTP_URL is set (mail goes to one place: unset one of them)');
  }
  if (config.metricsPort !== null && config.metricsPort !== 0 && config.metricsPort === config.port) {
    problems.push(`METRICS_PORT: must differ from PORT (${port}); /metrics on PORT needs METRICS_TOKEN instead`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The setting names, for docs and the config file check. */
export const SETTING_NAMES = [
  'PORT', 'HOST', 'PUBLIC_URL', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'SMTP_URL', 'MAIL_FROM', 'RESETD_ADMIN_TOKEN',
  'LOG_LEVEL', 'LOG_FORMAT',
  'RESETD_DIALECTS', 'API_KEYS_REQUIRED', 'RESET_TOKEN_TTL', 'RATE_LIMIT_IP', 'TRUSTED_PROXIES', 'NODE_ENV',
  'MAIL_MAX_ATTEMPTS', 'MAIL_RETRY_BASE_MS', 'MAIL_LEASE_MS', 'MAIL_BATCH_SIZE', 'RETENTION_DAYS', 'RESETD_WORKER',
  'PRODUCT_NAME', 'PASSWORD_MIN_LENGTH', 'WEBHOOK_URL', 'WEBHOOK_SECRET', 'RATE_LIMIT_RESET_FAILURES',
  'RATE_LIMIT_VERIFY_FAILURES', 'RATE_LIMIT_VERIFY_FAILURES_IP', 'RATE_LIMIT_VERIFY_WINDOW',
  'RATE_LIMIT_API_KEY', 'RATE_LIMIT_EMAIL_PER_MINUTE', 'RATE_LIMIT_EMAIL_PER_HOUR', 'CLOUDREVE_CAPTCHA', 'DEV_MAILBOX',
  'SHUTDOWN_TIMEOUT', 'LOGO_URL', 'ACCENT_COLOR', 'SIGN_IN_URL', 'METRICS_TOKEN', 'METRICS_PORT', 'METRICS_HOST',
  ...DIRECTORY_SETTING_NAMES,
  ...DIALECTS.flatMap((dialect) =>
    ['PRODUCT_NAME_', 'MAIL_FROM_', 'RESET_PATH_', 'LOGO_URL_', 'ACCENT_COLOR_', 'SIGN_IN_URL_'].map((prefix) => `${prefix}${dialect.toUpperCase()}`),
  ),
];

/**
 * Why a process about to send mail has nowhere to send it, or null when SMTP_URL or the dev
 * mailbox takes it. Checked at start, not by loadConfig: the offline CLI commands send no mail.
 */
export function mailDestinationProblem(config: Config, role: 'serve' | 'worker'): string | null {
  if (config.smtpUrl !== null) return null;
  if (role === 'worker') return 'SMTP_URL: must be set for a separate worker (the dev mailbox lives inside one process)';
  if (config.devMailbox) return null;
  if (config.production) return 'SMTP_URL: must be set in production (NODE_ENV=production has no dev mailbox)';
  if (!isLoopback(config.host)) {
    return `SMTP_URL: must be set when HOST=${config.host} listens beyond loopback (or set DEV_MAILBOX=on to keep mail in the dev mailbox, readable by anyone who reaches the port)`;
  }
  return 'SMTP_URL: must be set when DEV_MAILBOX=off (mail has nowhere else to go)';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** HOST reaches only this machine: localhost, 127.0.0.0/8 or ::1 (also written IPv4-mapped or in full). */
export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/** Settings that may hold secrets: their values never appear in an error message. */
const SECRET_SETTINGS = new Set(['RESETD_ADMIN_TOKEN', 'METRICS_TOKEN', 'SMTP_URL', 'DATABASE_URL', 'WEBHOOK_SECRET', 'WEBHOOK_URL', ...DIRECTORY_SECRET_SETTINGS]);

interface Problem {
  problem: string;
}
const problem = (text: string): Problem => ({ problem: text });
function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'problem' in value;
}

function definedOnly(env: Source): Source {
  // An empty variable counts as unset, so it does not hide the config file's value.
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

function readConfigFile(path: string | undefined, problems: string[]): Source {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`RESETD_CONFIG: cannot read ${path} as JSON (${(error as Error).message})`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`RESETD_CONFIG: ${path} must hold one JSON object of settings`);
    return {};
  }
  const out: Source = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(SETTING_NAMES as readonly string[]).includes(key)) {
      problems.push(`RESETD_CONFIG: ${path} sets ${key}, which is not a resetd setting`);
    } else if (['string', 'number', 'boolean'].includes(typeof value)) {
      out[key] = String(value);
    } else {
      problems.push(`RESETD_CONFIG: ${key} in ${path} must be a string, number or boolean`);
    }
  }
  return out;
}

function integer(min: number, max: number) {
  return (raw: string): number | Problem => {
    const value = Number(raw);
    return /^\d+$/.test(raw.trim()) && value >= min && value <= max
      ? value
      : problem(`must be a whole number from ${min} to ${max}`);
  };
}

function httpUrl(raw: string): string | Problem {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return problem('must be an http or https URL');
    if (url.search || url.hash) return problem('must not have a query or fragment');
    return url.toString().replace(/\/+$/, '');
  } catch {
    return problem('must be an absolute URL such as https://reset.example.com');
  }
}

function databaseUrl(raw: string): string | Problem {
  if (/^sqlite:.+/.test(raw)) return raw;
  if (/^postgres(ql)?:\/\/.+/.test(raw)) {
    try {
      const schema = new URL(raw).searchParams.get('schema');
      if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) return problem('its schema parameter must be a lower-case SQL name');
      return raw;
    } catch {
      return problem('must be a valid postgres:// URL');
    }
  }
  return problem('must be sqlite:<path> (for example sqlite:./data/resetd.db) or postgres://user:pass@host:5432/db[?schema=name]');
}

function smtpUrl(raw: string): string | Problem {
  try {
    const url = new URL(raw);
    if (url.protocol === 'smtp:' || url.protocol === 'smtps:') return raw;
  } catch {
    // falls through to the message below
  }
  return problem('must be smtp://user:pass@host:port or smtps://…');
}

function mailFrom(raw: string): string | Problem {
  return /^[^\r\n<>]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/.test(raw)
    ? raw
    : problem('must be an address, optionally with a name: resetd <no-reply@example.com>');
}

/** A link people follow (a sign-in page may carry a query, unlike PUBLIC_URL). */
function anyHttpUrl(raw: string): string | Problem {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : problem('must be an http or https URL');
  } catch {
    return problem('must be an absolute URL such as https://app.example.com/login');
  }
}

function hexColour(raw: string): string | Problem {
  // It goes into the page's stylesheet: only a colour, nothing that could end the rule.
  return /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(raw.trim()) ? raw.trim().toLowerCase() : problem('must be a colour such as #1f6feb');
}

function productName(raw: string): string | Problem {
  // It goes into the subject line: one short line of printable text.
  return raw.length <= 60 && !/[\p{Cc}]/u.test(raw) ? raw : problem('must be one line of at most 60 characters');
}

function adminToken(raw: string): string | Problem {
  return raw.length >= 16 ? raw : problem('must be at least 16 characters');
}

const secret = adminToken;

function resetPath(raw: string): string | Problem {
  return raw.startsWith('/') && raw.includes('{token}') && !/[\s"<>]/.test(raw)
    ? raw
    : problem('must be a path starting with / that contains {token} (and may contain {user})');
}

function dialectList(raw: string): ReadonlySet<DialectName> | Problem {
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) return problem(`must name at least one of ${DIALECTS.join(', ')}`);
  const unknown = names.filter((name) => !isDialect(name));
  if (unknown.length > 0) return problem(`unknown dialect ${unknown.join(', ')}; known: ${DIALECTS.join(', ')}`);
  return new Set(names as DialectName[]);
}

/** The dialects whose spec has an API-key scheme: the seeds document a key for each. */
const KEYED_DIALECTS = DIALECTS.filter((dialect) => DIALECT_TABLE[dialect].credentials !== undefined);

function keyedDialectList(raw: string): ReadonlySet<DialectName> | Problem {
  if (raw.trim() === 'none') return new Set();
  const names = dialectList(raw);
  if (isProblem(names)) return names;
  const keyless = [...names].filter((name) => !KEYED_DIALECTS.includes(name));
  return keyless.length > 0
    ? problem(`${keyless.join(', ')} has no API key to require; dialects with one: ${KEYED_DIALECTS.join(', ')} (or none)`)
    : names;
}

function proxyList(raw: string): readonly string[] | Problem {
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  try {
    proxyaddr.compile(entries);
    return entries;
  } catch (error) {
    return problem(`must be addresses or CIDR ranges, comma separated (${(error as Error).message})`);
  }
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | Problem => {
    const value = raw.trim().toLowerCase();
    return (values as readonly string[]).includes(value) ? (value as T) : problem(`must be one of ${values.join(', ')}`);
  };
}

function onOff(raw: string): boolean | Problem {
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  return problem('must be on or off');
}
