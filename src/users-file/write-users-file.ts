import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { USER_FILE_COLUMNS } from '../core/import-users.ts';
import type { ExportedUser } from '../core/store.ts';
import type { UsersFileFormat } from './read-users-file.ts';

/**
 * Writes users in the format `resetd users import` reads, a page at a time, waiting for the
 * output to drain: importing the file again finds every row unchanged. An absent name,
 * locale or hash is an empty field (CSV) or null (JSON Lines). Returns the rows written.
 */
export async function writeUsersFile(pages: AsyncIterable<readonly ExportedUser[]>, format: UsersFileFormat, output: Writable): Promise<number> {
  let count = 0;
  const write = async (text: string) => {
    if (!output.write(text)) await once(output, 'drain');
  };
  if (format === 'csv') await write(`${USER_FILE_COLUMNS.join(',')}\n`);
  for await (const page of pages) {
    await write(page.map(format === 'csv' ? csvLine : jsonLine).join(''));
    count += page.length;
  }
  return count;
}

function csvLine(user: ExportedUser): string {
  return `${[user.email, user.name ?? '', user.locale ?? '', String(user.disabled), user.passwordHash ?? ''].map(csvField).join(',')}\n`;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled; so is one with edge spaces, to keep them. */
function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function jsonLine(user: ExportedUser): string {
  return `${JSON.stringify({ email: user.email, name: user.name, locale: user.locale, disabled: user.disabled, password_hash: user.passwordHash })}\n`;
}
