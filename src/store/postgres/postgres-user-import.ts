import type pg from 'pg';
import type { ImportedUser, ImportRowResult, UserImportStore } from '../../core/store.ts';
import type { ImportUserRow } from '../user-import-rows.ts';
import { revokeUnusedTokensSql } from '../rows.ts';
import { IMPORT_COLUMNS, importChange, nameKey, toExportedUser } from '../user-import-rows.ts';
import { inTransaction } from './in-transaction.ts';

/**
 * UserImportStore on PostgreSQL. One batch is one transaction on one client, in four
 * statements whatever its size (find, insert, update, revoke), so a 1,000-row batch costs
 * four round trips, not thousands. The stored rows are locked (FOR UPDATE, in id order) so a
 * concurrent import of the same users waits instead of deciding on a stale row; a user added
 * meanwhile by someone else makes the insert fail, and the whole batch with it.
 */
export function postgresUserImport(pool: pg.Pool): UserImportStore {
  return {
    async importUsers(rows, at) {
      return inTransaction(pool, (client) => importBatch(client, rows, at.getTime()));
    },
    async exportUsers(after, limit) {
      const { rows } =
        after === null
          ? await pool.query(`SELECT ${IMPORT_COLUMNS} FROM users ORDER BY id COLLATE "C" LIMIT $1`, [limit])
          : await pool.query(`SELECT ${IMPORT_COLUMNS} FROM users WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2`, [after, limit]);
      return (rows as ImportUserRow[]).map(toExportedUser);
    },
  };
}

async function importBatch(client: pg.PoolClient, rows: readonly ImportedUser[], at: number): Promise<ImportRowResult[]> {
  const found = await client.query(
    `SELECT ${IMPORT_COLUMNS}, email_key FROM users WHERE email_key = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [rows.map((row) => row.emailKey)],
  );
  const stored = new Map((found.rows as (ImportUserRow & { email_key: string })[]).map((row) => [row.email_key, row]));
  const added: ImportedUser[] = [];
  const updated: (ImportedUser & { storedId: string })[] = [];
  const revoked: string[] = [];
  const results = rows.map((row): ImportRowResult => {
    const current = stored.get(row.emailKey);
    if (!current) {
      added.push(row);
      return 'added';
    }
    const change = importChange(current, row);
    if (change === 'unchanged') return 'unchanged';
    updated.push({ ...row, passwordHash: change.passwordHash, storedId: current.id });
    if (change.revokeTokens) revoked.push(current.id);
    return 'updated';
  });
  if (added.length > 0) {
    await client.query(
      `INSERT INTO users (id, email, email_key, name, name_key, locale, password_hash, created_at, disabled)
       SELECT id, email, email_key, name, name_key, locale, password_hash, $9, disabled
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[])
           AS t (id, email, email_key, name, name_key, locale, password_hash, disabled)`,
      [...columns(added, ['id', 'email', 'emailKey', 'name']), added.map((row) => nameKey(row.name)), ...columns(added, ['locale', 'passwordHash', 'disabled']), at],
    );
  }
  if (updated.length > 0) {
    await client.query(
      `UPDATE users u SET email = t.email, name = t.name, name_key = t.name_key, locale = t.locale, disabled = t.disabled,
              password_hash = coalesce(t.password_hash, u.password_hash)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
           AS t (id, email, name, name_key, locale, password_hash, disabled)
        WHERE u.id = t.id`,
      [
        updated.map((row) => row.storedId),
        ...columns(updated, ['email', 'name']),
        updated.map((row) => nameKey(row.name)),
        ...columns(updated, ['locale', 'passwordHash', 'disabled']),
      ],
    );
  }
  if (revoked.length > 0) {
    await client.query(revokeUnusedTokensSql('$1', 'ANY($2::text[])'), [at, revoked]);
  }
  return results;
}

/** One array per field, for unnest. */
function columns<K extends keyof ImportedUser>(rows: readonly ImportedUser[], keys: readonly K[]): ImportedUser[K][][] {
  return keys.map((key) => rows.map((row) => row[key]));
}
