import type Database from 'better-sqlite3';
import type { ImportedUser, ImportRowResult, UserImportStore } from '../../core/store.ts';
import type { ImportUserRow } from '../user-import-rows.ts';
import { revokeUnusedTokensSql } from '../rows.ts';
import { IMPORT_COLUMNS, importChange, nameKey, toExportedUser } from '../user-import-rows.ts';

/** UserImportStore on SQLite: one batch is one transaction, every statement prepared once. */
export function sqliteUserImport(db: Database.Database): UserImportStore {
  const sql = {
    find: db.prepare(`SELECT ${IMPORT_COLUMNS} FROM users WHERE email_key = ?`),
    insert: db.prepare(
      `INSERT INTO users (id, email, email_key, name, name_key, locale, password_hash, created_at, disabled)
       VALUES (@id, @email, @emailKey, @name, @nameKey, @locale, @passwordHash, @createdAt, @disabled)`,
    ),
    update: db.prepare(
      `UPDATE users SET email = @email, name = @name, name_key = @nameKey, locale = @locale, disabled = @disabled,
              password_hash = coalesce(@passwordHash, password_hash)
        WHERE id = @id`,
    ),
    revokeTokens: db.prepare(revokeUnusedTokensSql('?', '?')),
    first: db.prepare(`SELECT ${IMPORT_COLUMNS} FROM users ORDER BY id LIMIT ?`),
    after: db.prepare(`SELECT ${IMPORT_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?`),
  };

  const importBatch = db.transaction((rows: readonly ImportedUser[], at: number): ImportRowResult[] =>
    rows.map((row) => {
      const params = { ...row, nameKey: nameKey(row.name), disabled: row.disabled ? 1 : 0 };
      const stored = sql.find.get(row.emailKey) as ImportUserRow | undefined;
      if (!stored) {
        sql.insert.run({ ...params, createdAt: at });
        return 'added';
      }
      const change = importChange(stored, row);
      if (change === 'unchanged') return 'unchanged';
      sql.update.run({ ...params, passwordHash: change.passwordHash, id: stored.id });
      if (change.revokeTokens) sql.revokeTokens.run(at, stored.id);
      return 'updated';
    }),
  );

  return {
    async importUsers(rows, at) {
      return importBatch(rows, at.getTime());
    },
    async exportUsers(after, limit) {
      const rows = (after === null ? sql.first.all(limit) : sql.after.all(after, limit)) as ImportUserRow[];
      return rows.map(toExportedUser);
    },
  };
}
