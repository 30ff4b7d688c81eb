import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { exportedUserPages } from '../core/export-users.ts';
import type { ImportReport } from '../core/import-users.ts';
import type { Store } from '../core/store.ts';
import type { AuditEvent } from '../log/audit.ts';
import { importUsersFile } from '../users-file/import-users-file.ts';
import type { UsersFileFormat } from '../users-file/read-users-file.ts';
import { UsersFileError } from '../users-file/read-users-file.ts';
import { writeUsersFile } from '../users-file/write-users-file.ts';
import { UsageError } from './cli-support.ts';

/** `resetd users import` and `resetd users export`: files of users in, and out in the same format. */

/** What the CLI lends a command: its output, the configured store, the audit log. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  withStore<T>(work: (store: Store) => Promise<T>): Promise<T>;
  audit(event: Omit<AuditEvent, 'actor'>): void;
}

const FORMATS = new Map<string, UsersFileFormat>([['csv', 'csv'], ['jsonl', 'jsonl'], ['ndjson', 'jsonl']]);
const extension = (name: string) => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

export async function usersImport(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { format: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('users import takes exactly one FILE (- for stdin)');
  const file = positionals[0]!;
  const format = FORMATS.get(values.format ?? (file === '-' ? 'csv' : extension(file)));
  if (!format) throw new UsageError(`users import: say --format csv or --format jsonl (the name ${file} does not end in .csv, .jsonl or .ndjson)`);
  let size: number | null = null;
  if (file !== '-') {
    try {
      size = statSync(file).size;
    } catch (error) {
      io.err(`users import: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return 2;
    }
  }
  // A bar only for a person watching a terminal; logs and pipes get the summary alone.
  const bar = size !== null && process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'importing [{bar}] {percentage}% | {rows} rows', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(size!, 0, { rows: 0 });
  let report: ImportReport;
  try {
    report = await io.withStore((store) =>
      importUsersFile(store, file === '-' ? process.stdin : createReadStream(file), format, {
        onProgress: (bytes, counts) => bar?.update(bytes, { rows: counts.added + counts.updated + counts.unchanged + counts.refused }),
      }),
    );
  } catch (error) {
    if (!(error instanceof UsersFileError)) throw error;
    io.err(`users import: the file is refused, nothing was imported: ${error.message}`);
    return 2;
  } finally {
    if (bar) {
      bar.update(size!);
      bar.stop();
    }
  }
  for (const { line, reason } of report.refusals) io.err(`line ${line}: ${reason}`);
  if (report.refused > report.refusals.length) io.err(`… and ${report.refused - report.refusals.length} more refused rows`);
  const { added, updated, unchanged, refused } = report;
  io.out(`imported ${added + updated + unchanged + refused} rows: ${added} added, ${updated} updated, ${unchanged} unchanged, ${refused} refused`);
  io.audit({ action: 'users.import', counts: { added, updated, unchanged, refused } });
  if (report.stopped) {
    const reason = report.stopped.error instanceof Error ? report.stopped.error.message : String(report.stopped.error);
    io.err(`users import: the store failed (${reason}); rows from line ${report.stopped.line} on were not imported, those before were: run the import again`);
    return 1;
  }
  return refused > 0 ? 1 : 0;
}

export async function usersExport(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { format: { type: 'string' }, output: { type: 'string' } } });
  if (positionals.length > 0) throw new UsageError('users export takes no arguments (--output FILE writes to a file)');
  const named = values.output === undefined ? undefined : FORMATS.get(extension(values.output));
  const format = values.format === undefined ? (named ?? 'csv') : FORMATS.get(values.format);
  if (!format) throw new UsageError('users export: --format is csv or jsonl');
  // The file holds password hashes: readable by its owner only.
  const output = values.output ? createWriteStream(values.output, { mode: 0o600 }) : process.stdout;
  const count = await io.withStore((store) => writeUsersFile(exportedUserPages(store, 1000), format, output));
  if (output !== process.stdout) {
    output.end();
    await finished(output);
  }
  io.err(`exported ${count} users`);
  io.audit({ action: 'users.export', counts: { exported: count } });
  return 0;
}
