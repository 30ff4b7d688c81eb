import { loadConfig } from '../config.ts';
import type { Store } from '../core/store.ts';
import type { AuditEvent } from '../log/audit.ts';
import { audit, CLI_ACTOR } from '../log/audit.ts';
import { lineLogger } from '../log/logger.ts';
import { openStore } from '../store/open-store.ts';

/** What every CLI command shares: its output, its store, its audit line. */

export const clock = { now: () => new Date() };

/** A command line that does not parse: the message and the usage, exit code 2. */
export class UsageError extends Error {}

/** A command that cannot do what it was asked here (the accounts live elsewhere): the message, exit code 1. */
export class CommandRefused extends Error {}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  input: NodeJS.ReadableStream;
}

/** The audit line of a CLI action, as JSON on stderr: stdout stays the command's output. */
export function auditLine(err: (line: string) => void, event: Omit<AuditEvent, 'actor'>): void {
  audit(lineLogger(err), { ...event, actor: CLI_ACTOR });
}

/** Opens the configured store for one command and closes it after. */
export async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl, 2);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
