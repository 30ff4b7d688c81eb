import type { Logger, LogLevel } from '../../src/log/logger.ts';
import { createLogger } from '../../src/log/logger.ts';

export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  event: string;
  /** The line's own fields: all but level, time, event and the process's pid and hostname. */
  fields?: Record<string, unknown>;
}

/**
 * resetd's real logger (pino, its redaction and formatters) writing into an array, for a
 * test to read: each line is parsed back from the JSON pino wrote.
 */
export function capturingLogger(level: LogLevel = 'info'): { log: Logger; lines: LogLine[]; texts: string[] } {
  const lines: LogLine[] = [];
  /** The lines as pino wrote them, for a test that looks for a secret in the raw output. */
  const texts: string[] = [];
  const write = (text: string) => {
    texts.push(text);
    const { level, time, event, pid, hostname, ...fields } = JSON.parse(text);
    if (typeof time !== 'string' || typeof pid !== 'number' || typeof hostname !== 'string') throw new Error(`not a line resetd writes: ${text}`);
    lines.push({ level, event, fields: Object.keys(fields).length > 0 ? fields : undefined });
  };
  return { log: createLogger({ level, format: 'json' }, { write }), lines, texts };
}
