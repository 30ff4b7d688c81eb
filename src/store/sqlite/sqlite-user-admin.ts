import type Database from 'better-sqlite3';
import type { UserAdminStore, UserChange } from '../../core/store.ts';
import type { UserRecordRow } from '../rows.ts';
import { revokeUnusedTokensSql, toUserRecord, USER_RECORD_COLUMNS } from '../rows.ts';

/** The operator's user management on the SQLite file (see UserAdminStore). */
export function sqliteUserAdmin(db: Database.Database): UserAdminStore {
  const sql = {
    list: db.prepare(
      `SELECT ${USER_RECORD_COLUMNS} FROM users
        WHERE id > @after AND substr(email_key, 1, length(@prefix)) = @prefix
        ORDER BY id LIMIT @limit`,
    ),
    byId: db.prepare(`SELECT ${USER_RECORD_COLUMNS} FROM users WHERE id = ?`),
    otherWithEmailKey: db.prepare(`SELECT 1 FROM users WHERE email_key = ? AND id <> ?`),
    update: db.prepare(
      `UPDATE users SET email = @email, email_key = @emailKey, name = @name, name_key = lower(@name), locale = @locale, disabled = @disabled
        WHERE id = @id`,
    ),
    setPassword: db.prepare(`UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`),
    revokeTokens: db.prepare(revokeUnusedTokensSql('?', '?')),
    deleteTokens: db.prepare(`DELETE FROM reset_tokens WHERE account_id = ?`),
    deleteItems: db.prepare(`DELETE FROM outbox WHERE identifier IN (@id, @email, @emailKey) OR lower(identifier) = @emailKey`),
    deleteCounter: db.prepare(`DELETE FROM rate_limits WHERE key = ?`),
    deleteUser: db.prepare(`DELETE FROM users WHERE id = ?`),
  };
  const find = (id: string) => {
    const row = sql.byId.get(id) as UserRecordRow | undefined;
    return row && toUserRecord(row);
  };

  const update = db.transaction((id: string, change: UserChange, at: number) => {
    const user = find(id);
    if (!user) return { kind: 'missing' } as const;
    if (change.email && sql.otherWithEmailKey.get(change.email.emailKey, id)) return { kind: 'exists' } as const;
    const next = {
      id,
      email: change.email?.email ?? user.email,
      emailKey: change.email?.emailKey ?? user.emailKey,
      name: change.name === undefined ? user.name : change.name,
      locale: change.locale === undefined ? user.locale : change.locale,
      disabled: (change.disabled ?? user.disabled) ? 1 : 0,
    };
    sql.update.run(next);
    if (next.email !== user.email || (next.disabled && !user.disabled)) sql.revokeTokens.run(at, id);
    return { kind: 'updated', user: find(id)! } as const;
  });

  const replacePassword = db.transaction((id: string, hash: string, at: number) => {
    if (sql.setPassword.run(hash, at, id).changes === 0) return 'missing' as const;
    sql.revokeTokens.run(at, id);
    return 'done' as const;
  });

  const remove = db.transaction((id: string, counterKeys: Parameters<UserAdminStore['deleteUser']>[1]) => {
    const user = find(id);
    if (!user) return 'missing' as const;
    sql.deleteTokens.run(id);
    sql.deleteItems.run({ id, email: user.email, emailKey: user.emailKey });
    for (const key of counterKeys(user)) sql.deleteCounter.run(key);
    sql.deleteUser.run(id);
    return 'deleted' as const;
  });

  return {
    async listUsers({ after, emailKeyPrefix, limit }) {
      return (sql.list.all({ after: after ?? '', prefix: emailKeyPrefix ?? '', limit }) as UserRecordRow[]).map(toUserRecord);
    },
    async getUser(id) {
      return find(id);
    },
    async updateUser(id, change, at) {
      return update(id, change, at.getTime());
    },
    async replaceUserPassword(id, passwordHash, at) {
      return replacePassword(id, passwordHash, at.getTime());
    },
    async deleteUser(id, counterKeys) {
      return remove(id, counterKeys);
    },
  };
}
