import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import type { Store } from '../core/store.ts';
import type { AuditEvent } from '../log/audit.ts';
import { audit, CLI_ACTOR } from '../log/audit.ts';
import { lineLogger } from '../log/logger.ts';
import { openStore } from '../store/open-store.ts';

/** What every CLI command shares: its output, its store, its audit line. */

export const clock = { now: () => new Date() };

/** A command line that does not parse: the message and the command's usage, exit code 2. */
export class UsageError extends Error {}

/** A command that cannot do what it was asked here (the accounts live elsewhere, no database): the message, exit code 1. */
export class CommandRefused extends Error {}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  input: NodeJS.ReadableStream;
  /** The settings, read once per command. */
  config: () => Config;
  /** Opens the configured store for one command, says which on stderr, and closes it after. */
  withStore<T>(work: (store: Store) => Promise<T>): Promise<T>;
}

/** The audit line of a CLI action, as JSON on stderr: stdout stays the command's output. */
export function auditLine(err: (line: string) => void, event: Omit<AuditEvent, 'actor'>): void {
  audit(lineLogger(err), { ...event, actor: CLI_ACTOR });
}

/**
 * How a command uses the store: `reads` never creates one (a SQLite file that is not there
 * is an error, not a new empty database: the command was likely run from another directory
 * or with another DATABASE_URL); `writes` may create it, and says so.
 */
export type StoreUse = 'reads' | 'writes';

export function storeOpener(err: (line: string) => void, use: StoreUse, config: () => Config): CliIo['withStore'] {
  return async (work) => {
    const url = config().databaseUrl;
    const file = url.startsWith('sqlite:') ? resolve(url.slice('sqlite:'.length)) : null;
    const fresh = file !== null && file !== resolve(':memory:') && !existsSync(file);
    if (fresh && use === 'reads') {
      throw new CommandRefused(`no resetd database at ${file} (DATABASE_URL=${url}, relative to ${process.cwd()}): run this where resetd runs, or set DATABASE_URL`);
    }
    err(`store: ${describeStore(url)}${fresh ? ' (new: created now)' : ''}`);
    const store = await openStore(url, 2);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
}

/** The store a DATABASE_URL names, without its password: a SQLite file's absolute path, or PostgreSQL's host, database and schema. */
export function describeStore(url: string): string {
  if (url.startsWith('sqlite:')) return `sqlite ${resolve(url.slice('sqlite:'.length))}`;
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  return `postgres ${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname} schema ${schema}`;
}
