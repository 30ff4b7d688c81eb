/**
 * One JSON line per event on stdout (or stderr for errors). Callers pass only what is safe
 * to keep: never a token, a password or a full reset link.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  /** Something an operator should look at, though nothing failed (a directory's odd answer). */
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string, isError: boolean) => void = (line, isError) => void (isError ? process.stderr : process.stdout).write(`${line}\n`)): Logger {
  const emit = (level: string, event: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }), level === 'error');
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** An error as a log field: message and name, not the stack of a library's internals. */
export function errorField(error: unknown): { error: string } {
  return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
