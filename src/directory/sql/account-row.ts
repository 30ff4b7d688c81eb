import { type Account, checkAccount, DirectoryError } from '../../core/directory.ts';

const SOURCE = 'DIRECTORY_FIND_SQL';
const FIELDS = new Set(['id', 'email', 'name', 'locale', 'disabled']);

/**
 * The account in one row of DIRECTORY_FIND_SQL. Drivers spell the same value differently
 * (PostgreSQL bigint as text, MySQL TINYINT and BIT, SQLite integers as bigint), so ids
 * become text and flags booleans here; anything else is left for checkAccount to refuse.
 */
export function accountFromRow(row: unknown): Account {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new DirectoryError(`${SOURCE}: a row must have named columns`);
  }
  const picked: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const field = column.toLowerCase();
    if (!FIELDS.has(field)) continue;
    if (field in picked) throw new DirectoryError(`${SOURCE}: returns the column \`${field}\` twice`);
    picked[field] = value;
  }
  if (typeof picked.id === 'bigint' || (typeof picked.id === 'number' && Number.isSafeInteger(picked.id))) picked.id = String(picked.id);
  picked.disabled = flag(picked.disabled);
  return checkAccount(picked, SOURCE);
}

function flag(value: unknown): unknown {
  if (typeof value === 'bigint') return value === 0n ? false : value === 1n ? true : value;
  if (typeof value === 'number') return value === 0 ? false : value === 1 ? true : value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === '0' || text === 'f' || text === 'false') return false;
    if (text === '1' || text === 't' || text === 'true') return true;
  }
  // MySQL BIT(1) arrives as a one-byte buffer.
  if (Buffer.isBuffer(value) && value.length === 1 && value[0]! <= 1) return value[0] === 1;
  return value;
}
