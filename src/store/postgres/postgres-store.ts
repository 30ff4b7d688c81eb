import pg from 'pg';
import type { NewOutboxItem } from '../../core/outbox-item.ts';
import type { ApiKey, Store } from '../../core/store.ts';
import type { CounterChange, CounterRow } from '../counters.ts';
import { newExpire } from '../counters.ts';
import { groupCommit } from '../group-commit.ts';
import type { DeadItemRow, ItemRow, TokenRow, UserRow } from '../rows.ts';
import { emptyStateCounts, revokeUnusedTokensSql, toApiKeyListing, toDeadItem, toOutboxItem, toResetToken, toUser, TOKEN_COLUMNS, USER_COLUMNS } from '../rows.ts';
import { MIGRATIONS } from './migrations.ts';
import { apiKeyCache } from './api-key-cache.ts';
import { postgresUserAdmin } from './postgres-user-admin.ts';
import { inTransaction } from './in-transaction.ts';
import { postgresUserImport } from './postgres-user-import.ts';

export interface PostgresOptions {
  /** postgres://… (a `schema` query parameter selects the schema, created when missing). */
  url: string;
  poolSize: number;
}

// BIGINT (oid 20) columns hold milliseconds: well inside a double's exact range.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

/** Splits resetd's `schema` parameter off the URL node-postgres receives. */
export function parseDatabaseUrl(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('DATABASE_URL: schema must be a lower-case SQL name');
  return { connectionString: parsed.toString(), schema };
}

/** The PostgreSQL store, with its pool and schema for the rate limiters, and their counting, committed in groups like the outbox rows. */
export type PostgresStore = Store & { pool: pg.Pool; schema: string; changeCounter(change: CounterChange): Promise<CounterRow> };

/**
 * rate-limiter-flexible's upsert (RateLimiterPostgres) for the counts of one turn at once, in
 * one statement: each key's counts are added together, and each count reads back what it
 * would have read alone, in order (the key's new total less the counts after it).
 */
const ADD_TO_COUNTERS = `
  WITH change AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[]) WITH ORDINALITY AS c (key, points, expire, ord)
  ), counted AS (
    INSERT INTO rate_limits (key, points, expire)
    SELECT key, sum(points), min(expire) FROM change GROUP BY key
    ON CONFLICT (key) DO UPDATE SET
      points = CASE WHEN rate_limits.expire <= $4 THEN excluded.points ELSE rate_limits.points + excluded.points END,
      expire = CASE WHEN rate_limits.expire <= $4 THEN excluded.expire ELSE rate_limits.expire END
    RETURNING key, points, expire
  )
  SELECT (counted.points - coalesce(sum(change.points) OVER later, 0))::int AS points, counted.expire
    FROM change JOIN counted USING (key)
  WINDOW later AS (PARTITION BY change.key ORDER BY change.ord ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
   ORDER BY change.ord`;

/** The store for several instances: one PostgreSQL, a pool of connections, SKIP LOCKED claims. */
export async function openPostgresStore(options: PostgresOptions): Promise<PostgresStore> {
  const { connectionString, schema } = parseDatabaseUrl(options.url);
  const newPool = (max: number, settings = '') => {
    const created = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, options: `-c search_path=${schema}${settings}`, types });
    // A connection the server ends (a restart, pg_terminate_backend) emits 'error' on its
    // client. Idle clients report through the pool; a checked-out client has no listener of
    // its own, and an unheard 'error' event ends the process. Every client gets one at birth:
    // the query in flight fails on its own, and the client is released as broken below.
    created.on('error', () => {});
    created.on('connect', (client) => client.on('error', () => {}));
    return created;
  };
  const pool = newPool(options.poolSize);
  await migrate(pool, schema);
  // The rate limiters' counts commit without waiting for PostgreSQL's WAL flush, which with
  // the outbox row's own made two flushes a request and halved the request path. A crash of
  // PostgreSQL itself (not of resetd) can forget the last fraction of a second of counts, as
  // a power loss can on SQLite (synchronous=NORMAL); the outbox and the tokens still wait.
  const counterPool = newPool(2, ' -c synchronous_commit=off');
  const apiKeys = apiKeyCache(connectionString, schema);

  const one = async <T>(text: string, values: unknown[] = []) => (await pool.query(text, values)).rows[0] as T | undefined;
  const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => inTransaction(pool, work);

  const insertItems = (client: pg.Pool | pg.PoolClient, items: readonly NewOutboxItem[]) =>
    client.query(
      `INSERT INTO outbox (id, kind, origin, identifier, client_ip, created_at, due_at, payload)
       SELECT id, kind, origin, identifier, client_ip, created_at, created_at, payload
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
           AS t (id, kind, origin, identifier, client_ip, created_at, payload)`,
      [
        items.map((i) => i.id),
        items.map((i) => i.kind),
        items.map((i) => i.origin),
        items.map((i) => i.identifier),
        items.map((i) => i.clientIp),
        items.map((i) => i.createdAt.getTime()),
        items.map((i) => i.payload),
      ],
    );

  // Requests of one event-loop turn share one INSERT.
  const addResetRequest = groupCommit(async (items: NewOutboxItem[]) => {
    await insertItems(pool, items);
  });

  // The outcomes the worker records in one event-loop turn share one UPDATE (one round trip
  // instead of one each); each row is still fenced by its own claim (attempts, 'sending').
  type Finish = { id: string; attempts: number; state: string; at: number; forget: boolean };
  const finishItems = groupCommit(async (finishes: Finish[]) => {
    await pool.query(
      `UPDATE outbox o SET state = f.state, finished_at = f.at, lease_until = NULL,
              identifier = CASE WHEN f.forget THEN '' ELSE o.identifier END,
              client_ip = CASE WHEN f.forget THEN NULL ELSE o.client_ip END
         FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::boolean[]) AS f (id, attempts, state, at, forget)
        WHERE o.id = f.id AND o.attempts = f.attempts AND o.state = 'sending'`,
      [finishes.map((f) => f.id), finishes.map((f) => f.attempts), finishes.map((f) => f.state), finishes.map((f) => f.at), finishes.map((f) => f.forget)],
    );
  });

  // The limiters' counts of one turn (each request's per-IP and per-key count, the worker's
  // per-account mail budgets): one statement, one round trip and one commit instead of one each.
  const addToCounters = groupCommit(async (changes: CounterChange[]) => {
    // Named: prepared once per connection, not planned again for every group.
    const values = [changes.map((c) => c.key), changes.map((c) => c.points), changes.map(newExpire), Date.now()];
    const { rows } = await counterPool.query<CounterRow>({ name: 'resetd-add-to-counters', text: ADD_TO_COUNTERS, values });
    return rows;
  });
  const changeCounter = async (change: CounterChange): Promise<CounterRow> => {
    if (!change.forceExpire) return addToCounters(change);
    // Setting a count (rate-limiter-flexible's set and block, rare) is not a sum: on its own.
    const { rows } = await counterPool.query<CounterRow>(
      `INSERT INTO rate_limits (key, points, expire) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET points = excluded.points, expire = excluded.expire RETURNING points, expire`,
      [change.key, change.points, newExpire(change)],
    );
    return rows[0]!;
  };

  return {
    ...postgresUserAdmin(pool, transaction),
    pool,
    schema,
    changeCounter,
    addResetRequest,
    async claimOutbox(now, leaseUntil, limit) {
      // SKIP LOCKED: concurrent workers each take different rows, never waiting on each other.
      const { rows } = await pool.query(
        `UPDATE outbox SET state = 'sending', lease_until = $1, attempts = attempts + 1
          WHERE id IN (
            -- Each kind of due row read in due order from outbox_due and cut at the limit: with
            -- one OR the planner read every due row of a backlog and sorted them (20 ms a claim
            -- behind 50,000 rows, against 0.1 ms).
            SELECT id FROM (
              SELECT * FROM (SELECT id, due_at FROM outbox WHERE state = 'pending' AND due_at <= $2 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) pending
              UNION ALL
              SELECT * FROM (SELECT id, due_at FROM outbox WHERE state = 'sending' AND lease_until <= $2 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) taken_over
            ) due
            ORDER BY due_at LIMIT $3)
          RETURNING id, kind, origin, identifier, client_ip, created_at, payload, state, attempts, operator_retries`,
        [leaseUntil.getTime(), now.getTime(), limit],
      );
      return (rows as ItemRow[]).map(toOutboxItem);
    },
    async finishOutboxItem(claim, state, at, options) {
      await finishItems({ id: claim.id, attempts: claim.attempts, state, at: at.getTime(), forget: options?.forgetRequester === true });
    },
    async failOutboxItem(claim, error, retryAt) {
      if (retryAt) {
        await pool.query(
          `UPDATE outbox SET state = 'pending', due_at = $1, last_error = $2, lease_until = NULL WHERE id = $3 AND attempts = $4 AND state = 'sending'`,
          [retryAt.getTime(), error, claim.id, claim.attempts],
        );
      } else {
        await pool.query(
          `UPDATE outbox SET state = 'dead', last_error = $1, lease_until = NULL WHERE id = $2 AND attempts = $3 AND state = 'sending'`,
          [error, claim.id, claim.attempts],
        );
      }
    },
    async listDeadOutboxItems(limit) {
      const { rows } = await pool.query(
        `SELECT id, kind, origin, created_at, attempts, last_error FROM outbox WHERE state = 'dead' ORDER BY created_at LIMIT $1`,
        [limit],
      );
      return (rows as DeadItemRow[]).map(toDeadItem);
    },
    async retryDeadOutboxItems(ids, now) {
      const revive = `UPDATE outbox SET state = 'pending', due_at = $1, attempts = 0, operator_retries = operator_retries + 1 WHERE state = 'dead'`;
      const result = ids === null ? await pool.query(revive, [now.getTime()]) : await pool.query(`${revive} AND id = ANY($2)`, [now.getTime(), ids]);
      return result.rowCount ?? 0;
    },
    async outboxCounts(since) {
      const byState = emptyStateCounts();
      const counts = await pool.query(`SELECT state, count(*)::int AS n FROM outbox GROUP BY state`);
      for (const row of counts.rows as { state: keyof typeof byState; n: number }[]) byState[row.state] = row.n;
      const retried = await one<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE attempts > 1`);
      const latencies = await pool.query(
        `SELECT finished_at - created_at AS ms FROM outbox WHERE state = 'sent' AND finished_at >= $1 ORDER BY finished_at DESC LIMIT 10000`,
        [since.getTime()],
      );
      return { byState, retried: retried?.n ?? 0, latenciesMs: latencies.rows.map((row) => row.ms as number) };
    },
    async outboxGauges(now) {
      const byState = { pending: 0, sending: 0, dead: 0 };
      // Index range counts: finished rows (most of the table) are never scanned.
      const counts = await pool.query(`SELECT state, count(*)::int AS n FROM outbox WHERE state IN ('pending', 'sending', 'dead') GROUP BY state`);
      for (const row of counts.rows as { state: keyof typeof byState; n: number }[]) byState[row.state] = row.n;
      const oldest = await one<{ at: number | null }>(
        `SELECT min(at) AS at FROM (
           SELECT min(due_at) AS at FROM outbox WHERE state = 'pending' AND due_at <= $1
           UNION ALL SELECT min(lease_until) FROM outbox WHERE state = 'sending' AND lease_until <= $1) due`,
        [now.getTime()],
      );
      return { byState, oldestDueAt: oldest?.at == null ? null : new Date(oldest.at) };
    },
    async addUser(user) {
      const result = await pool.query(
        `INSERT INTO users (id, email, email_key, name, name_key, locale, password_hash, created_at, disabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (email_key) DO NOTHING`,
        [user.id, user.email, user.emailKey, user.name, user.name?.toLowerCase() ?? null, user.locale, user.passwordHash, user.createdAt.getTime(), user.disabled],
      );
      return result.rowCount === 1 ? 'added' : 'exists';
    },
    findUserByEmailKey: async (emailKey) => toUser(await one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email_key = $1`, [emailKey])),
    async findUsersByIdOrName(idOrName, limit) {
      const byId = toUser(await one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [idOrName]));
      if (byId) return [byId];
      const { rows } = await pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE name_key = $1 ORDER BY id LIMIT $2`, [idOrName.toLowerCase(), limit]);
      return (rows as UserRow[]).map((row) => toUser(row)!);
    },
    async setUserPassword(id, passwordHash, at) {
      const result = await pool.query(`UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3 AND NOT disabled`, [passwordHash, at.getTime(), id]);
      return result.rowCount === 1 ? 'done' : 'missing';
    },
    async findUserPassword(emailKey) {
      const row = await one<UserRow & { password_hash: string | null }>(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email_key = $1`, [emailKey]);
      return row && { account: toUser(row)!, passwordHash: row.password_hash };
    },
    ...postgresUserImport(pool),
    async upgradeUserPasswordHash(id, verifiedHash, newHash) {
      const result = await pool.query(`UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, [newHash, id, verifiedHash]);
      return result.rowCount === 1 ? 'upgraded' : 'changed';
    },
    async addResetToken(token) {
      await transaction(async (client) => {
        // One account's tokens are minted one at a time: two workers revoking "the older
        // ones" at once under READ COMMITTED would each miss the other's new row.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('resetd:token:' || $1))`, [token.account.id]);
        await client.query(revokeUnusedTokensSql('$1', '$2'), [token.createdAt.getTime(), token.account.id]);
        await client.query(
          `INSERT INTO reset_tokens (hash, request_id, account_id, account_email, account_name, account_locale, origin, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [token.hash, token.requestId, token.account.id, token.account.email, token.account.name, token.account.locale, token.origin, token.createdAt.getTime(), token.expiresAt.getTime()],
        );
      });
    },
    async findResetToken(hash) {
      const row = await one<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM reset_tokens WHERE hash = $1`, [hash]);
      return row && toResetToken(row);
    },
    async holdResetToken(hash, now, until) {
      const held = await pool.query(
        `UPDATE reset_tokens SET held_until = $1
          WHERE hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3 AND (held_until IS NULL OR held_until <= $3)`,
        [until.getTime(), hash, now.getTime()],
      );
      if (held.rowCount === 1) return 'held';
      const usable = await one(`SELECT 1 FROM reset_tokens WHERE hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2`, [hash, now.getTime()]);
      return usable ? 'busy' : 'spent';
    },
    async releaseResetToken(hash, heldUntil) {
      await pool.query(`UPDATE reset_tokens SET held_until = NULL WHERE hash = $1 AND held_until = $2`, [hash, heldUntil.getTime()]);
    },
    completeReset: (reset) =>
      transaction(async (client) => {
        const at = reset.at.getTime();
        // Fenced by the hold, not by revocation or expiry: the directory has already set the password.
        const spent = await client.query(
          `UPDATE reset_tokens SET used_at = $1, held_until = NULL WHERE hash = $2 AND held_until = $3 AND used_at IS NULL`,
          [at, reset.tokenHash, reset.heldUntil.getTime()],
        );
        if (spent.rowCount !== 1) return 'lost' as const;
        await client.query(revokeUnusedTokensSql('$1', '$2'), [at, reset.accountId]);
        if (reset.outbox.length > 0) await insertItems(client, reset.outbox);
        return 'done' as const;
      }),
    async addApiKey(key) {
      await pool.query(`INSERT INTO api_keys (id, dialect, key_hash, created_at) VALUES ($1, $2, $3, $4)`, [key.id, key.dialect, key.keyHash, key.createdAt.getTime()]);
      apiKeys.forget();
    },
    async listApiKeys() {
      const { rows } = await pool.query(`SELECT id, dialect, created_at, revoked_at FROM api_keys ORDER BY created_at`);
      return rows.map(toApiKeyListing);
    },
    async revokeApiKey(id, at) {
      const result = await pool.query(`UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [at.getTime(), id]);
      // Before the answer: a request this instance takes next is refused.
      apiKeys.forget();
      return result.rowCount === 1 ? 'revoked' : 'unknown';
    },
    findApiKeyByHash: (keyHash) =>
      apiKeys.find(keyHash, async () => {
        const row = await one<{ id: string; dialect: ApiKey['dialect']; key_hash: string }>(
          `SELECT id, dialect, key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
          [keyHash],
        );
        return row && { id: row.id, dialect: row.dialect, keyHash: row.key_hash };
      }),
    async addCaptchaTicket(ticket, now) {
      await pool.query(`DELETE FROM captcha_tickets WHERE expires_at <= $1`, [now.getTime()]);
      await pool.query(`INSERT INTO captcha_tickets (hash, answer, expires_at) VALUES ($1, $2, $3)`, [ticket.hash, ticket.answer, ticket.expiresAt.getTime()]);
    },
    async takeCaptchaTicket(hash) {
      const row = await one<{ answer: string; expires_at: number }>(`DELETE FROM captcha_tickets WHERE hash = $1 RETURNING answer, expires_at`, [hash]);
      return row && { answer: row.answer, expiresAt: new Date(row.expires_at) };
    },
    async forgetOlderThan(before, limit) {
      // Separate statements, each a bounded batch: another instance doing the same at once
      // only finds fewer rows (SKIP LOCKED), and a lost connection loses nothing needed.
      const items = await pool.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE created_at < $1 AND state IN ('sent', 'no_account', 'throttled', 'dead') LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [before.getTime(), limit],
      );
      const tokens = await pool.query(
        `DELETE FROM reset_tokens WHERE hash IN (SELECT hash FROM reset_tokens WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [before.getTime(), limit],
      );
      const ips = await pool.query(
        `UPDATE outbox SET client_ip = NULL WHERE id IN (
           SELECT id FROM outbox WHERE created_at < $1 AND client_ip IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [before.getTime(), limit],
      );
      return { outboxItems: items.rowCount ?? 0, tokens: tokens.rowCount ?? 0, clientIps: ips.rowCount ?? 0 };
    },
    async forgetExpiredCounters(now, limit) {
      // SKIP LOCKED: a counter being updated right now is live, whatever its expire says.
      const counters = await pool.query(
        `DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE expire < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [now.getTime(), limit],
      );
      return counters.rowCount ?? 0;
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await apiKeys.close();
      await Promise.all([pool.end(), counterPool.end()]);
    },
  };
}

/** Applies missing migrations; an advisory lock makes concurrent starts take turns. */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`resetd:migrate:${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS resetd_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await client.query(`SELECT coalesce(max(version), 0)::int AS version FROM resetd_migrations`);
      const current = rows[0].version as number;
      if (current > MIGRATIONS.length) {
        throw new Error(`the database is at schema version ${current}, newer than this resetd knows (${MIGRATIONS.length}): upgrade resetd`);
      }
      for (let version = current + 1; version <= MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(MIGRATIONS[version - 1]!);
          await client.query(`INSERT INTO resetd_migrations (version) VALUES ($1)`, [version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`resetd:migrate:${schema}`]);
    }
  } finally {
    client.release();
  }
}
