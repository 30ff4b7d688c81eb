import type { DestinationStream, LevelWithSilent } from 'pino';
import pino from 'pino';
import { createRequire } from 'node:module';

/**
 * One JSON line per event (pino): `level` as a word, `time` in ISO 8601, the `event` name and
 * its fields. Callers pass only what is safe to keep: never a token, a password or a full
 * reset link; the redaction below is a second line of defence, not the first.
 */
export interface Logger {
  /** Detail an operator switches on with LOG_LEVEL=debug. */
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  /** Something an operator should look at, though nothing failed (a directory's odd answer). */
  warn(event: string, fields?: Record<string, unknown>): void;
  /** A failure; pass the error as `err` and its stack is written with it. */
  error(event: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line also carries `bindings` (a request's id, an outbox item's id). */
  child(bindings: Record<string, unknown>): Logger;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Fields whose values are never written, at the top of a line or inside the objects a line
 * may carry (`headers`, `err`, `body`, `config`). A reset link or a URL may carry a token in
 * its query: a `link` goes entirely, a `url` keeps its origin and path. The paths are named,
 * not wildcards (`*.token`): a wildcard made every line five times slower.
 */
const SECRET_KEYS = ['password', 'newPassword', 'token', 'secret', 'key', 'apiKey', 'authorization', 'cookie', 'link'];
const URL_KEYS = new Set(['url', 'publicUrl', 'webhookUrl']);
const REDACTED_KEYS = [...SECRET_KEYS, ...URL_KEYS];
const REDACT_PATHS = [...REDACTED_KEYS, ...['headers', 'err', 'body', 'config'].flatMap((parent) => REDACTED_KEYS.map((key) => `${parent}.${key}`))];
const REDACTED = '[redacted]';

function censor(value: unknown, path: string[]): unknown {
  if (!URL_KEYS.has(path.at(-1)!) || typeof value !== 'string') return REDACTED;
  const cut = value.search(/[?#]/);
  return cut < 0 ? value : `${value.slice(0, cut + 1)}${REDACTED}`;
}

export interface LoggerSettings {
  level: LogLevel;
  /** `auto`: readable on a terminal outside production, JSON lines everywhere else. */
  format: LogFormat;
  production: boolean;
}

/** Readable lines for a person at a terminal (LOG_FORMAT=auto outside production), JSON lines for machines. */
export function readableLogs(settings: Pick<LoggerSettings, 'format' | 'production'>, terminal = process.stdout.isTTY === true): boolean {
  return settings.format === 'pretty' || (settings.format === 'auto' && !settings.production && terminal);
}

/** The pino logger resetd writes with, to `destination` (default: stdout, written synchronously so nothing is lost at exit). */
export function createLogger(settings: Pick<LoggerSettings, 'level'> & Partial<LoggerSettings>, destination?: DestinationStream): Logger {
  const readable = readableLogs({ format: settings.format ?? 'json', production: settings.production ?? false });
  const options: pino.LoggerOptions = {
    level: settings.level,
    // pino-pretty takes its message key from here: the event is the message of a readable line.
    messageKey: 'event',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor },
  };
  // pino-pretty in this thread (not as a transport's worker): it is for a person at a terminal, where speed does not matter and lines must not be lost at exit.
  const out = destination ?? (readable ? loadPretty()({ sync: true, messageKey: 'event', ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l', singleLine: true }) : pino.destination({ dest: 1, sync: true }));
  return wrap(pino(options, out));
}

// Loaded only for readable output: JSON lines (production, pipes, the CLI's audit line) never pay its 30 ms at start.
const loadPretty = (): typeof import('pino-pretty') => createRequire(import.meta.url)('pino-pretty');

// The event is a field, not pino's message (written last): a line reads level, time, request id, event, then the details.
function wrap(logger: pino.Logger): Logger {
  return {
    debug: (event, fields) => logger.debug({ event, ...fields }),
    info: (event, fields) => logger.info({ event, ...fields }),
    warn: (event, fields) => logger.warn({ event, ...fields }),
    error: (event, fields) => logger.error({ event, ...fields }),
    child: (bindings) => wrap(logger.child(bindings)),
  };
}

/** Lines to a function (the CLI's stderr), synchronously, in the same format. */
export function lineLogger(write: (line: string) => void, level: LogLevel = 'info'): Logger {
  return createLogger({ level, format: 'json' }, { write: (line: string) => write(line.replace(/\n$/, '')) });
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
