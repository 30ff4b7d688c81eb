import type pg from 'pg';
import type { UserAdminStore, UserRecord } from '../../core/store.ts';
import type { UserRecordRow } from '../rows.ts';
import { revokeUnusedTokensSql, toUserRecord, USER_RECORD_COLUMNS } from '../rows.ts';

type Transaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

const REVOKE_TOKENS = revokeUnusedTokensSql('$1', '$2');

/** The operator's user management on PostgreSQL (see UserAdminStore); each change is one transaction. */
export function postgresUserAdmin(pool: pg.Pool, transaction: Transaction): UserAdminStore {
  const find = async (client: pg.Pool | pg.PoolClient, id: string, lock = false) => {
    const { rows } = await client.query(`SELECT ${USER_RECORD_COLUMNS} FROM users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toUserRecord(rows[0] as UserRecordRow) : undefined;
  };

  return {
    async listUsers({ after, emailKeyPrefix, limit }) {
      const { rows } = await pool.query(
        `SELECT ${USER_RECORD_COLUMNS} FROM users WHERE id COLLATE "C" > $1 AND starts_with(email_key, $2) ORDER BY id COLLATE "C" LIMIT $3`,
        [after ?? '', emailKeyPrefix ?? '', limit],
      );
      return (rows as UserRecordRow[]).map(toUserRecord);
    },
    getUser: (id) => find(pool, id),
    updateUser: (id, change, at) =>
      transaction(async (client) => {
        const user = await find(client, id, true);
        if (!user) return { kind: 'missing' } as const;
        const next = {
          email: change.email?.email ?? user.email,
          emailKey: change.email?.emailKey ?? user.emailKey,
          name: change.name === undefined ? user.name : change.name,
          locale: change.locale === undefined ? user.locale : change.locale,
          disabled: change.disabled ?? user.disabled,
        };
        // ON CONFLICT cannot guard an UPDATE: the unique index answers, and the savepoint keeps the transaction usable.
        await client.query('SAVEPOINT change');
        try {
          await client.query(
            `UPDATE users SET email = $1, email_key = $2, name = $3, name_key = lower($3), locale = $4, disabled = $5 WHERE id = $6`,
            [next.email, next.emailKey, next.name, next.locale, next.disabled, id],
          );
        } catch (error) {
          if ((error as { code?: string }).code !== '23505') throw error;
          await client.query('ROLLBACK TO SAVEPOINT change');
          return { kind: 'exists' } as const;
        }
        if (next.email !== user.email || (next.disabled && !user.disabled)) await client.query(REVOKE_TOKENS, [at.getTime(), id]);
        return { kind: 'updated', user: (await find(client, id)) as UserRecord } as const;
      }),
    replaceUserPassword: (id, passwordHash, at) =>
      transaction(async (client) => {
        const result = await client.query(`UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3`, [passwordHash, at.getTime(), id]);
        if (result.rowCount === 0) return 'missing';
        await client.query(REVOKE_TOKENS, [at.getTime(), id]);
        return 'done';
      }),
    deleteUser: (id, counterKeys) =>
      transaction(async (client) => {
        const user = await find(client, id, true);
        if (!user) return 'missing';
        await client.query(`DELETE FROM reset_tokens WHERE account_id = $1`, [id]);
        await client.query(`DELETE FROM outbox WHERE identifier IN ($1, $2, $3) OR lower(identifier) = $3`, [id, user.email, user.emailKey]);
        await client.query(`DELETE FROM rate_limits WHERE key = ANY($1::text[])`, [counterKeys(user)]);
        await client.query(`DELETE FROM users WHERE id = $1`, [id]);
        return 'deleted';
      }),
  };
}
