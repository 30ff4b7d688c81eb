import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiKey, NewResetToken, NewUser, Store, User } from '../../core/ports.ts';
import type { NewResetRequest, ResetRequest } from '../../core/reset-request.ts';
import { MIGRATIONS } from './migrations.ts';

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
}

interface RequestRow {
  id: string;
  dialect: ResetRequest['dialect'];
  identifier: string;
  client_ip: string | null;
  created_at: number;
  state: ResetRequest['state'];
  attempts: number;
}

/** The embedded store: one SQLite file in WAL mode, every statement prepared once. */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a crash of resetd; fsync happens at checkpoints.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const insertRequest = db.prepare(
    `INSERT INTO reset_requests (id, dialect, identifier, client_ip, created_at, due_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const claim = db.prepare(
    `UPDATE reset_requests
        SET state = 'sending', lease_until = @leaseUntil, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM reset_requests
         WHERE (state = 'pending' AND due_at <= @now)
            OR (state = 'sending' AND lease_until <= @now)
         ORDER BY due_at
         LIMIT @limit)
      RETURNING id, dialect, identifier, client_ip, created_at, state, attempts`,
  );
  const finish = db.prepare(
    `UPDATE reset_requests SET state = ?, finished_at = ?, lease_until = NULL
      WHERE id = ? AND state = 'sending'`,
  );
  const retry = db.prepare(
    `UPDATE reset_requests SET state = 'pending', due_at = ?, last_error = ?, lease_until = NULL
      WHERE id = ? AND state = 'sending'`,
  );
  const bury = db.prepare(
    `UPDATE reset_requests SET state = 'dead', last_error = ?, lease_until = NULL
      WHERE id = ? AND state = 'sending'`,
  );
  const dead = db.prepare(
    `SELECT id, dialect, created_at, attempts, last_error FROM reset_requests
      WHERE state = 'dead' ORDER BY created_at LIMIT ?`,
  );
  const revive = db.prepare(
    `UPDATE reset_requests SET state = 'pending', due_at = ?, attempts = 0, last_error = NULL
      WHERE state = 'dead' AND id = ?`,
  );
  const reviveAll = db.prepare(
    `UPDATE reset_requests SET state = 'pending', due_at = ?, attempts = 0, last_error = NULL
      WHERE state = 'dead'`,
  );
  const countByState = db.prepare(`SELECT state, count(*) AS n FROM reset_requests GROUP BY state`);
  const countRetried = db.prepare(`SELECT count(*) AS n FROM reset_requests WHERE attempts > 1`);
  const latencies = db.prepare(
    `SELECT finished_at - created_at AS ms FROM reset_requests
      WHERE state = 'sent' AND finished_at >= ? ORDER BY finished_at DESC LIMIT 10000`,
  );
  const insertUser = db.prepare(
    `INSERT INTO users (id, email, email_key, name, name_key, locale, password_hash, created_at)
     VALUES (@id, @email, @emailKey, @name, @nameKey, @locale, @passwordHash, @createdAt)
     ON CONFLICT (email_key) DO NOTHING`,
  );
  const userColumns = 'id, email, name, locale';
  const userByEmailKey = db.prepare(`SELECT ${userColumns} FROM users WHERE email_key = ?`);
  const userByIdOrName = db.prepare(
    `SELECT ${userColumns} FROM users WHERE id = ? OR name_key = ? ORDER BY id = ? DESC LIMIT 1`,
  );
  const revokeTokens = db.prepare(
    `UPDATE reset_tokens SET revoked_at = ?
      WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL`,
  );
  const insertToken = db.prepare(
    `INSERT INTO reset_tokens (hash, request_id, user_id, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const insertKey = db.prepare(
    `INSERT INTO api_keys (id, dialect, key_hash, created_at) VALUES (?, ?, ?, ?)`,
  );
  const keyByHash = db.prepare(
    `SELECT id, dialect, key_hash FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`,
  );
  const ping = db.prepare('SELECT 1');

  const addToken = db.transaction((token: NewResetToken) => {
    revokeTokens.run(token.createdAt.getTime(), token.userId);
    insertToken.run(
      token.hash,
      token.requestId,
      token.userId,
      token.createdAt.getTime(),
      token.expiresAt.getTime(),
    );
  });

  // Group commit: the requests that arrive within one turn of the event loop are written in
  // one transaction, and each caller is answered only once that transaction has committed.
  let batch: { request: NewResetRequest; done: (error?: unknown) => void }[] = [];
  const insertBatch = db.transaction((requests: NewResetRequest[]) => {
    for (const request of requests) {
      const at = request.createdAt.getTime();
      insertRequest.run(request.id, request.dialect, request.identifier, request.clientIp, at, at);
    }
  });
  const flush = () => {
    const pending = batch;
    batch = [];
    try {
      insertBatch(pending.map((entry) => entry.request));
      pending.forEach((entry) => entry.done());
    } catch (error) {
      pending.forEach((entry) => entry.done(error));
    }
  };

  return {
    addResetRequest(request: NewResetRequest) {
      return new Promise<void>((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ request, done: (error) => (error === undefined ? resolve() : reject(error)) });
      });
    },
    async claimResetRequests(now, leaseUntil, limit) {
      const rows = claim.all({
        now: now.getTime(),
        leaseUntil: leaseUntil.getTime(),
        limit,
      }) as RequestRow[];
      return rows.map(toResetRequest);
    },
    async finishResetRequest(id, state, at) {
      finish.run(state, at.getTime(), id);
    },
    async failResetRequest(id, error, retryAt) {
      if (retryAt) retry.run(retryAt.getTime(), error, id);
      else bury.run(error, id);
    },
    async listDeadResetRequests(limit) {
      const rows = dead.all(limit) as {
        id: string;
        dialect: ResetRequest['dialect'];
        created_at: number;
        attempts: number;
        last_error: string | null;
      }[];
      return rows.map((row) => ({
        id: row.id,
        dialect: row.dialect,
        createdAt: new Date(row.created_at),
        attempts: row.attempts,
        lastError: row.last_error,
      }));
    },
    async retryDeadResetRequests(ids, now) {
      if (ids === null) return reviveAll.run(now.getTime()).changes;
      return db.transaction(() => ids.reduce((n, id) => n + revive.run(now.getTime(), id).changes, 0))();
    },
    async outboxCounts(since) {
      const byState = { pending: 0, sending: 0, sent: 0, no_account: 0, dead: 0 };
      for (const row of countByState.all() as { state: keyof typeof byState; n: number }[]) byState[row.state] = row.n;
      return {
        byState,
        retried: (countRetried.get() as { n: number }).n,
        latenciesMs: (latencies.all(since.getTime()) as { ms: number }[]).map((row) => row.ms),
      };
    },
    async addUser(user: NewUser) {
      const result = insertUser.run({
        ...user,
        nameKey: user.name?.toLowerCase() ?? null,
        createdAt: user.createdAt.getTime(),
      });
      return result.changes === 1 ? 'added' : 'exists';
    },
    async findUserByEmailKey(emailKey) {
      return userByEmailKey.get(emailKey) as UserRow | undefined;
    },
    async findUserByIdOrName(idOrName) {
      return userByIdOrName.get(idOrName, idOrName.toLowerCase(), idOrName) as User | undefined;
    },
    async addResetToken(token) {
      addToken(token);
    },
    async addApiKey(key) {
      insertKey.run(key.id, key.dialect, key.keyHash, key.createdAt.getTime());
    },
    async findApiKeyByHash(keyHash) {
      const row = keyByHash.get(keyHash) as
        | { id: string; dialect: ApiKey['dialect']; key_hash: string }
        | undefined;
      return row && { id: row.id, dialect: row.dialect, keyHash: row.key_hash };
    },
    async ping() {
      ping.get();
    },
    async close() {
      db.close();
    },
  };
}

function toResetRequest(row: RequestRow): ResetRequest {
  return {
    id: row.id,
    dialect: row.dialect,
    identifier: row.identifier,
    clientIp: row.client_ip,
    createdAt: new Date(row.created_at),
    state: row.state,
    attempts: row.attempts,
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    MIGRATIONS.slice(current).forEach((sql, index) => {
      db.exec(sql);
      db.pragma(`user_version = ${current + index + 1}`);
    });
  }).immediate();
}
