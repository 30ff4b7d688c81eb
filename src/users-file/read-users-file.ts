import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { Info } from 'csv-parse';
import { parse } from 'csv-parse';
import type { UserFileRow } from '../core/import-users.ts';
import { USER_FILE_COLUMNS } from '../core/import-users.ts';

/**
 * Reads a file of users as it streams in, row by row, never the whole file at once: CSV with
 * a header row (RFC 4180, through csv-parse) or JSON Lines. A row that cannot be read becomes
 * a refused row with its line number; only a header that cannot be used refuses the whole
 * file (UsersFileError), before any row.
 */
export type UsersFileFormat = 'csv' | 'jsonl';

/** The whole file is refused: nothing of it was imported. */
export class UsersFileError extends Error {}

/** A row longer than this is refused without being held in memory whole. */
export const MAX_ROW_BYTES = 64 * 1024;

export function readUsersFile(input: Readable, format: UsersFileFormat): AsyncGenerator<UserFileRow> {
  return format === 'csv' ? csvRows(input) : jsonLines(input);
}

async function* csvRows(input: Readable): AsyncGenerator<UserFileRow> {
  let header: string[] | null = null;
  // Errors csv-parse skips arrive through a callback while it parses ahead; they are handed out in line order.
  const skipped: UserFileRow[] = [];
  let invalidLengths = 0;
  const parser = parse({
    columns: (names: string[]) => {
      header = names.map((name) => name.trim().toLowerCase());
      return header;
    },
    info: true,
    bom: true,
    skip_empty_lines: true,
    // A short or long row is one refused row, not the end of the file.
    relax_column_count: true,
    max_record_size: MAX_ROW_BYTES,
    skip_records_with_error: true,
    on_skip: (error) => {
      const line = (error as { lines?: number } | undefined)?.lines ?? 0;
      if (!skipped.some((row) => row.line === line)) skipped.push({ line, error: csvProblem(error) });
    },
  });
  // csv-parse counts a CR LF as two lines; LF alone keeps its line numbers right. A CR inside a
  // quoted field is lost, but only names could hold one and names refuse control characters.
  const records = input.pipe(crLfToLf()).pipe(parser) as AsyncIterable<{ record: Record<string, string>; info: Info }>;
  input.on('error', (error) => parser.destroy(error));
  let checked = false;
  for await (const { record, info } of records) {
    if (!checked) checkHeader(header);
    checked = true;
    const line = info.lines - Object.values(record).reduce((n, value) => n + countNewlines(value), 0);
    yield* skippedBefore(skipped, line);
    if (info.invalid_field_length !== invalidLengths) {
      invalidLengths = info.invalid_field_length;
      yield { line, error: `has more or fewer fields than the header's ${header!.length} (a field with a comma in it, such as an argon2 or scrypt hash, must be in double quotes)` };
    } else {
      yield { line, fields: record };
    }
  }
  if (!checked) checkHeader(header);
  yield* skippedBefore(skipped, Number.POSITIVE_INFINITY);
}

function* skippedBefore(skipped: UserFileRow[], line: number): Generator<UserFileRow> {
  skipped.sort((a, b) => a.line - b.line);
  while (skipped.length > 0 && skipped[0]!.line <= line) yield skipped.shift()!;
}

function checkHeader(header: string[] | null): asserts header is string[] {
  if (header === null) throw new UsersFileError(`the file is empty: its first line must be a header row (${USER_FILE_COLUMNS.join(',')})`);
  const known = new Set<string>(USER_FILE_COLUMNS);
  const unknown = header.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new UsersFileError(`the header row has unknown columns: ${unknown.join(', ')} (the columns are ${USER_FILE_COLUMNS.join(', ')})`);
  if (!header.includes('email')) throw new UsersFileError(`the header row has no email column (the columns are ${USER_FILE_COLUMNS.join(', ')})`);
  const twice = header.filter((name, index) => header.indexOf(name) !== index);
  if (twice.length > 0) throw new UsersFileError(`the header row names ${twice.join(', ')} more than once`);
}

function csvProblem(error: (Error & { code?: string }) | undefined): string {
  switch (error?.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return `the row is longer than ${MAX_ROW_BYTES / 1024} KiB; the rest of the file was not read`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed before the end of the file (was the file cut short?)';
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside an unquoted field: quote the whole field and double the quotes in it';
    default:
      return `is not valid CSV (${error?.message ?? 'unreadable'})`;
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** CR LF to LF, byte for byte (a CR or LF byte is never part of a longer UTF-8 character). */
function crLfToLf(): Transform {
  let heldCr = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let text = (heldCr ? '\r' : '') + chunk.toString('latin1');
      heldCr = text.endsWith('\r');
      if (heldCr) text = text.slice(0, -1);
      done(null, Buffer.from(text.replaceAll('\r\n', '\n'), 'latin1'));
    },
    flush(done) {
      done(null, heldCr ? Buffer.from('\r') : undefined);
    },
  });
}

/** JSON Lines: one object per line; blank lines skipped; a line over MAX_ROW_BYTES is dropped as it streams. */
async function* jsonLines(input: Readable): AsyncGenerator<UserFileRow> {
  let line = 1;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  for await (const data of input) {
    const chunk: Buffer = Buffer.isBuffer(data) ? data : Buffer.from(String(data));
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (!tooLong && size + piece.length > MAX_ROW_BYTES) {
        tooLong = true;
        parts = [];
      }
      if (!tooLong) {
        parts.push(piece);
        size += piece.length;
      }
      if (newline === -1) break;
      const row = jsonLine(line, tooLong ? null : Buffer.concat(parts), false);
      if (row) yield row;
      line++;
      [parts, size, tooLong, start] = [[], 0, false, newline + 1];
    }
  }
  const last = jsonLine(line, tooLong ? null : Buffer.concat(parts), true);
  if (last) yield last;
}

/** One line's row; null for a blank line. `bytes` null: the line was too long to keep. */
function jsonLine(line: number, bytes: Buffer | null, unterminated: boolean): UserFileRow | null {
  if (bytes === null) return { line, error: `the line is longer than ${MAX_ROW_BYTES / 1024} KiB` };
  let text = bytes.toString('utf8');
  if (line === 1 && text.startsWith('\ufeff')) text = text.slice(1);
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The reason names no part of the line: it may hold a password hash.
    return { line, error: unterminated ? 'the file ends in the middle of this line (was it cut short?)' : 'is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, error: 'is not a JSON object' };
  return { line, fields: value as Record<string, unknown> };
}
