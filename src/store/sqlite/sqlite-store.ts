import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { NewOutboxItem } from '../../core/outbox-item.ts';
import type { ApiKey, NewUser, Store } from '../../core/store.ts';
import type { CounterChange, CounterRow } from '../counters.ts';
import { newExpire } from '../counters.ts';
import { groupCommit } from '../group-commit.ts';
import { keptApiKeys } from '../kept-api-keys.ts';
import type { DeadItemRow, ItemRow, TokenRow, UserRow } from '../rows.ts';
import { emptyStateCounts, revokeUnusedTokensSql, toApiKeyListing, toDeadItem, toOutboxItem, toResetToken, toUser, TOKEN_COLUMNS, USER_COLUMNS } from '../rows.ts';
import { MIGRATIONS } from './migrations.ts';
import { sqliteUserAdmin } from './sqlite-user-admin.ts';
import { sqliteUserImport } from './sqlite-user-import.ts';
import { startWalCheckpointer } from './wal-checkpointer.ts';
import { whenNotBusy } from './when-not-busy.ts';


const INSERT_ITEM = `INSERT INTO outbox (id, kind, origin, identifier, client_ip, created_at, due_at, payload)
  VALUES (@id, @kind, @origin, @identifier, @clientIp, @createdAt, @createdAt, @payload)`;
/**
 * Retention's batch of old finished items, found by age. Left to choose, the planner took
 * the (state, due_at) index and read every finished item to find none old enough: 25 ms a
 * pass over a 160,000-row outbox, on the worker's thread and under the write lock, at each
 * look for mail while expired counters were being deleted.
 */
export const FORGET_OUTBOX_ITEMS = `DELETE FROM outbox WHERE id IN (
  SELECT id FROM outbox INDEXED BY outbox_created WHERE created_at < ? AND state IN ('sent', 'no_account', 'throttled', 'dead') LIMIT ?)`;
/** How long a statement may wait for another connection's write lock. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The SQLite store, with its connection for the rate limiters that keep their counters in the
 * same file, and their counting, committed in groups like the outbox rows.
 */
export type SqliteStore = Store & { db: Database.Database; changeCounter(change: CounterChange): Promise<CounterRow> };

export interface SqliteStoreOptions {
  /** Checkpoints in a thread of their own rather than inside a commit (resetd serve's request path); called if that thread fails. */
  checkpointer?: { onFailure(error: unknown): void };
}

/** The embedded store: one SQLite file in WAL mode, every statement prepared once. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = connect(path, BUSY_TIMEOUT_MS);
  migrate(db);
  // The group commits (the request path's outbox rows, the worker's claims, tokens and
  // outcomes) go through a connection of their own that never sleeps on the write lock
  // (when-not-busy.ts): the other connection's writes, rare, keep SQLite's busy wait.
  const committer = path === ':memory:' ? db : connect(path, 0);
  const checkpointer = options.checkpointer && path !== ':memory:' ? startWalCheckpointer([db, committer], path, options.checkpointer.onFailure) : null;

  const commits = {
    insertItem: committer.prepare(INSERT_ITEM),
    revokeTokens: committer.prepare(revokeUnusedTokensSql('?', '?')),
    insertToken: committer.prepare(
      `INSERT INTO reset_tokens (hash, request_id, account_id, account_email, account_name, account_locale, origin, created_at, expires_at)
       VALUES (@hash, @requestId, @accountId, @accountEmail, @accountName, @accountLocale, @origin, @createdAt, @expiresAt)`,
    ),
    claim: committer.prepare(
      `UPDATE outbox SET state = 'sending', lease_until = @leaseUntil, attempts = attempts + 1
        WHERE id IN (
          -- Each kind of due row read in due order from outbox_due and cut at the limit: with
          -- one OR the planner gathered every due row of a backlog and sorted them, each claim
          -- (10% of the worker's CPU draining 20,000 mails).
          SELECT id FROM (
            SELECT * FROM (SELECT id, due_at FROM outbox WHERE state = 'pending' AND due_at <= @now ORDER BY due_at LIMIT @limit)
            UNION ALL
            SELECT * FROM (SELECT id, due_at FROM outbox WHERE state = 'sending' AND lease_until <= @now ORDER BY due_at LIMIT @limit))
           ORDER BY due_at LIMIT @limit)
        RETURNING id, kind, origin, identifier, client_ip, created_at, payload, state, attempts, operator_retries`,
    ),
    // Only the worker holding the current claim (same attempt) records its outcome.
    finish: committer.prepare(`UPDATE outbox SET state = ?, finished_at = ?, lease_until = NULL WHERE id = ? AND attempts = ? AND state = 'sending'`),
    finishForgetting: committer.prepare(
      `UPDATE outbox SET state = ?, finished_at = ?, lease_until = NULL, identifier = '', client_ip = NULL WHERE id = ? AND attempts = ? AND state = 'sending'`,
    ),
    // rate-limiter-flexible's own upserts (RateLimiterSQLite), prepared once here.
    addToCounter: committer.prepare(
      `INSERT INTO rate_limits (key, points, expire) VALUES (@key, @points, @expire)
       ON CONFLICT(key) DO UPDATE SET
         points = CASE WHEN expire IS NULL OR expire > @now THEN points + excluded.points ELSE excluded.points END,
         expire = CASE WHEN expire IS NULL OR expire > @now THEN expire ELSE excluded.expire END
       RETURNING points, expire`,
    ),
    setCounter: committer.prepare(`INSERT OR REPLACE INTO rate_limits (key, points, expire) VALUES (@key, @points, @expire) RETURNING points, expire`),
    // Changes when another connection (this store's other one, the CLI, a worker, another
    // process) has committed since this one last looked. Asked of the committer, whose own
    // commits (the request path's outbox rows) do not change it.
    dataVersion: committer.prepare('PRAGMA data_version').pluck(),
  };

  const sql = {
    insertItem: db.prepare(INSERT_ITEM),
    retry: db.prepare(`UPDATE outbox SET state = 'pending', due_at = ?, last_error = ?, lease_until = NULL WHERE id = ? AND attempts = ? AND state = 'sending'`),
    bury: db.prepare(`UPDATE outbox SET state = 'dead', last_error = ?, lease_until = NULL WHERE id = ? AND attempts = ? AND state = 'sending'`),
    dead: db.prepare(`SELECT id, kind, origin, created_at, attempts, last_error FROM outbox WHERE state = 'dead' ORDER BY created_at LIMIT ?`),
    revive: db.prepare(`UPDATE outbox SET state = 'pending', due_at = ?, attempts = 0, operator_retries = operator_retries + 1 WHERE state = 'dead' AND id = ?`),
    reviveAll: db.prepare(`UPDATE outbox SET state = 'pending', due_at = ?, attempts = 0, operator_retries = operator_retries + 1 WHERE state = 'dead'`),
    countByState: db.prepare(`SELECT state, count(*) AS n FROM outbox GROUP BY state`),
    countRetried: db.prepare(`SELECT count(*) AS n FROM outbox WHERE attempts > 1`),
    latencies: db.prepare(
      `SELECT finished_at - created_at AS ms FROM outbox
        WHERE state = 'sent' AND finished_at >= ? ORDER BY finished_at DESC LIMIT 10000`,
    ),
    // Index range counts: finished rows (most of the table) are never scanned.
    countWaiting: db.prepare(`SELECT state, count(*) AS n FROM outbox WHERE state IN ('pending', 'sending', 'dead') GROUP BY state`),
    oldestDue: db.prepare(
      `SELECT min(at) AS at FROM (
         SELECT min(due_at) AS at FROM outbox WHERE state = 'pending' AND due_at <= @now
         UNION ALL SELECT min(lease_until) FROM outbox WHERE state = 'sending' AND lease_until <= @now)`,
    ),
    insertUser: db.prepare(
      `INSERT INTO users (id, email, email_key, name, name_key, locale, password_hash, created_at, disabled)
       VALUES (@id, @email, @emailKey, @name, @nameKey, @locale, @passwordHash, @createdAt, @disabled)
       ON CONFLICT (email_key) DO NOTHING`,
    ),
    userByEmailKey: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE email_key = ?`),
    userById: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
    usersByName: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE name_key = ? ORDER BY id LIMIT ?`),
    setPassword: db.prepare(`UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ? AND disabled = 0`),
    userPassword: db.prepare(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email_key = ?`),
    upgradePasswordHash: db.prepare(`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`),
    revokeTokens: db.prepare(revokeUnusedTokensSql('?', '?')),
    tokenByHash: db.prepare(`SELECT ${TOKEN_COLUMNS} FROM reset_tokens WHERE hash = ?`),
    holdToken: db.prepare(
      `UPDATE reset_tokens SET held_until = @until
        WHERE hash = @hash AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @now
          AND (held_until IS NULL OR held_until <= @now)`,
    ),
    usable: db.prepare(`SELECT 1 FROM reset_tokens WHERE hash = @hash AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @now`),
    releaseToken: db.prepare(`UPDATE reset_tokens SET held_until = NULL WHERE hash = ? AND held_until = ?`),
    // Fenced by the hold, not by revocation or expiry: the directory has already set the password.
    spendToken: db.prepare(`UPDATE reset_tokens SET used_at = @at, held_until = NULL WHERE hash = @hash AND held_until = @heldUntil AND used_at IS NULL`),
    insertKey: db.prepare(`INSERT INTO api_keys (id, dialect, key_hash, created_at) VALUES (?, ?, ?, ?)`),
    keyByHash: db.prepare(`SELECT id, dialect, key_hash FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`),
    listKeys: db.prepare(`SELECT id, dialect, created_at, revoked_at FROM api_keys ORDER BY created_at`),
    revokeKey: db.prepare(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`),
    insertCaptcha: db.prepare(`INSERT INTO captcha_tickets (hash, answer, expires_at) VALUES (?, ?, ?)`),
    forgetCaptchas: db.prepare(`DELETE FROM captcha_tickets WHERE expires_at <= ?`),
    takeCaptcha: db.prepare(`DELETE FROM captcha_tickets WHERE hash = ? RETURNING answer, expires_at`),
    // Retention: bounded batches, so one pass never holds the write lock for long.
    forgetItems: db.prepare(FORGET_OUTBOX_ITEMS),
    forgetTokens: db.prepare(`DELETE FROM reset_tokens WHERE hash IN (SELECT hash FROM reset_tokens WHERE expires_at < ? LIMIT ?)`),
    forgetClientIps: db.prepare(
      `UPDATE outbox SET client_ip = NULL WHERE id IN (SELECT id FROM outbox WHERE created_at < ? AND client_ip IS NOT NULL LIMIT ?)`,
    ),
    // A NULL expire is a counter without a window (none of resetd's): kept.
    forgetCounters: db.prepare(`DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE expire < ? LIMIT ?)`),
    ping: db.prepare('SELECT 1'),
  };

  const keys = keptApiKeys();
  let keysVersion = -1;
  const itemParams = (item: NewOutboxItem) => ({ ...item, createdAt: item.createdAt.getTime() });

  /** A write transaction on the committer, begun IMMEDIATE and retried while the lock is busy. */
  const committed = <A, R = void>(write: (argument: A) => R) => {
    const transaction = committer.transaction(write);
    return (argument: A) => whenNotBusy(() => transaction.immediate(argument), BUSY_TIMEOUT_MS);
  };
  const addResetRequest = groupCommit(
    committed((items: NewOutboxItem[]) => {
      for (const item of items) commits.insertItem.run(itemParams(item));
    }),
  );

  const addOneToken = (token: Parameters<Store['addResetToken']>[0]) => {
    commits.revokeTokens.run(token.createdAt.getTime(), token.account.id);
    commits.insertToken.run({
      hash: token.hash,
      requestId: token.requestId,
      accountId: token.account.id,
      accountEmail: token.account.email,
      accountName: token.account.name,
      accountLocale: token.account.locale,
      origin: token.origin,
      createdAt: token.createdAt.getTime(),
      expiresAt: token.expiresAt.getTime(),
    });
  };
  // The worker mints the tokens of a batch of deliveries at once: one commit for all of them.
  const addTokens = groupCommit(committed((tokens: Parameters<Store['addResetToken']>[0][]) => tokens.forEach(addOneToken)));
  // Begun IMMEDIATE like the others: on its own (autocommit) the UPDATE searched the outbox
  // before it asked for the write lock, and did that search again at every retry while the
  // serving thread held the lock (and after each commit of the serving thread, its snapshot
  // stale: SQLITE_BUSY_SNAPSHOT).
  const claim = committed((params: { now: number; leaseUntil: number; limit: number }) => commits.claim.all(params) as ItemRow[]);
  // The limiters' counts of one turn (each request's per-IP and per-key count, the worker's
  // per-account mail budget) share one commit instead of one each. Each change is still
  // applied on its own and in order, and reads back its own count: parallel requests are
  // counted exactly, as with one transaction each.
  const changeCounter = groupCommit(
    committed((changes: CounterChange[]) =>
      changes.map((change) => {
        const { key, points, now } = change;
        const expire = newExpire(change);
        return (change.forceExpire ? commits.setCounter.get({ key, points, expire }) : commits.addToCounter.get({ key, points, expire, now })) as CounterRow;
      }),
    ),
  );
  type Finish = { claim: { id: string; attempts: number }; state: string; at: number; forget: boolean };
  // Likewise the outcomes of a batch: one commit, each update still fenced by its own claim.
  const finishItems = groupCommit(
    committed((finishes: Finish[]) => {
      for (const { claim, state, at, forget } of finishes) (forget ? commits.finishForgetting : commits.finish).run(state, at, claim.id, claim.attempts);
    }),
  );

  const hold = db.transaction((hash: string, now: number, until: number): 'held' | 'busy' | 'spent' => {
    if (sql.holdToken.run({ hash, now, until }).changes === 1) return 'held';
    return sql.usable.get({ hash, now }) ? 'busy' : 'spent';
  });

  const complete = db.transaction((reset: Parameters<Store['completeReset']>[0]): 'done' | 'lost' => {
    const at = reset.at.getTime();
    if (sql.spendToken.run({ hash: reset.tokenHash, at, heldUntil: reset.heldUntil.getTime() }).changes !== 1) return 'lost';
    sql.revokeTokens.run(at, reset.accountId);
    for (const item of reset.outbox) sql.insertItem.run(itemParams(item));
    return 'done';
  });

  const forget = db.transaction((before: number, limit: number) => ({
    outboxItems: sql.forgetItems.run(before, limit).changes,
    tokens: sql.forgetTokens.run(before, limit).changes,
    clientIps: sql.forgetClientIps.run(before, limit).changes,
  }));

  return {
    ...sqliteUserAdmin(db),
    db,
    changeCounter,
    addResetRequest,
    async claimOutbox(now, leaseUntil, limit) {
      const rows = await claim({ now: now.getTime(), leaseUntil: leaseUntil.getTime(), limit });
      return rows.map(toOutboxItem);
    },
    async finishOutboxItem(claim, state, at, options) {
      await finishItems({ claim: { id: claim.id, attempts: claim.attempts }, state, at: at.getTime(), forget: options?.forgetRequester === true });
    },
    async failOutboxItem(claim, error, retryAt) {
      if (retryAt) sql.retry.run(retryAt.getTime(), error, claim.id, claim.attempts);
      else sql.bury.run(error, claim.id, claim.attempts);
    },
    async listDeadOutboxItems(limit) {
      return (sql.dead.all(limit) as DeadItemRow[]).map(toDeadItem);
    },
    async retryDeadOutboxItems(ids, now) {
      if (ids === null) return sql.reviveAll.run(now.getTime()).changes;
      return db.transaction(() => ids.reduce((n, id) => n + sql.revive.run(now.getTime(), id).changes, 0))();
    },
    async outboxCounts(since) {
      const byState = emptyStateCounts();
      for (const row of sql.countByState.all() as { state: keyof typeof byState; n: number }[]) byState[row.state] = row.n;
      return {
        byState,
        retried: (sql.countRetried.get() as { n: number }).n,
        latenciesMs: (sql.latencies.all(since.getTime()) as { ms: number }[]).map((row) => row.ms),
      };
    },
    async outboxGauges(now) {
      const byState = { pending: 0, sending: 0, dead: 0 };
      for (const row of sql.countWaiting.all() as { state: keyof typeof byState; n: number }[]) byState[row.state] = row.n;
      const { at } = sql.oldestDue.get({ now: now.getTime() }) as { at: number | null };
      return { byState, oldestDueAt: at === null ? null : new Date(at) };
    },
    async addUser(user: NewUser) {
      const result = sql.insertUser.run({ ...user, nameKey: user.name?.toLowerCase() ?? null, createdAt: user.createdAt.getTime(), disabled: user.disabled ? 1 : 0 });
      return result.changes === 1 ? 'added' : 'exists';
    },
    async findUserByEmailKey(emailKey) {
      return toUser(sql.userByEmailKey.get(emailKey) as UserRow | undefined);
    },
    async findUsersByIdOrName(idOrName, limit) {
      const byId = toUser(sql.userById.get(idOrName) as UserRow | undefined);
      if (byId) return [byId];
      return (sql.usersByName.all(idOrName.toLowerCase(), limit) as UserRow[]).map((row) => toUser(row)!);
    },
    async setUserPassword(id, passwordHash, at) {
      return sql.setPassword.run(passwordHash, at.getTime(), id).changes === 1 ? 'done' : 'missing';
    },
    async findUserPassword(emailKey) {
      const row = sql.userPassword.get(emailKey) as (UserRow & { password_hash: string | null }) | undefined;
      return row && { account: toUser(row)!, passwordHash: row.password_hash };
    },
    ...sqliteUserImport(db),
    async upgradeUserPasswordHash(id, verifiedHash, newHash) {
      return sql.upgradePasswordHash.run(newHash, id, verifiedHash).changes === 1 ? 'upgraded' : 'changed';
    },
    async addResetToken(token) {
      await addTokens(token);
    },
    async findResetToken(hash) {
      const row = sql.tokenByHash.get(hash) as TokenRow | undefined;
      return row && toResetToken(row);
    },
    async holdResetToken(hash, now, until) {
      return hold(hash, now.getTime(), until.getTime());
    },
    async releaseResetToken(hash, heldUntil) {
      sql.releaseToken.run(hash, heldUntil.getTime());
    },
    async completeReset(reset) {
      return complete(reset);
    },
    async addApiKey(key) {
      sql.insertKey.run(key.id, key.dialect, key.keyHash, key.createdAt.getTime());
      keys.forget();
    },
    async listApiKeys() {
      return (sql.listKeys.all() as Parameters<typeof toApiKeyListing>[0][]).map(toApiKeyListing);
    },
    async revokeApiKey(id, at) {
      const revoked = sql.revokeKey.run(at.getTime(), id).changes === 1;
      keys.forget();
      return revoked ? 'revoked' : 'unknown';
    },
    async findApiKeyByHash(keyHash) {
      // Valid keys are kept in memory while no connection but the committer has committed
      // anything: a key revoked by the CLI or another process is read again (and refused) on
      // the next request after that commit. Checking costs a pragma, not a query of api_keys
      // (which, after another connection's commit, reads its pages again from the file).
      const version = commits.dataVersion.get() as number;
      if (version !== keysVersion) {
        keys.forget();
        keysVersion = version;
      }
      const known = keys.get(keyHash);
      if (known) return known;
      const row = sql.keyByHash.get(keyHash) as { id: string; dialect: ApiKey['dialect']; key_hash: string } | undefined;
      if (!row) return undefined;
      const key = { id: row.id, dialect: row.dialect, keyHash: row.key_hash };
      keys.keep(keyHash, key, keys.generation);
      return key;
    },
    async addCaptchaTicket(ticket, now) {
      sql.forgetCaptchas.run(now.getTime());
      sql.insertCaptcha.run(ticket.hash, ticket.answer, ticket.expiresAt.getTime());
    },
    async takeCaptchaTicket(hash) {
      const row = sql.takeCaptcha.get(hash) as { answer: string; expires_at: number } | undefined;
      return row && { answer: row.answer, expiresAt: new Date(row.expires_at) };
    },
    async forgetOlderThan(before, limit) {
      return forget(before.getTime(), limit);
    },
    async forgetExpiredCounters(now, limit) {
      return sql.forgetCounters.run(now.getTime(), limit).changes;
    },
    async ping() {
      sql.ping.get();
    },
    async close() {
      await checkpointer?.stop();
      if (committer !== db) committer.close();
      db.close();
    },
  };
}

function connect(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a crash of resetd; fsync happens at checkpoints.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database is at schema version ${current}, newer than this resetd knows (${MIGRATIONS.length}): upgrade resetd`);
  }
  db.transaction(() => {
    MIGRATIONS.slice(current).forEach((sql, index) => {
      db.exec(sql);
      db.pragma(`user_version = ${current + index + 1}`);
    });
  }).immediate();
}
