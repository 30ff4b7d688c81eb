/**
 * Schema versions, applied in order at start (PRAGMA user_version holds the last one).
 * Times are milliseconds since the epoch. Append; never edit a shipped step.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT,
    name_key TEXT,
    locale TEXT,
    password_hash TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX users_name_key ON users (name_key);

  CREATE TABLE reset_requests (
    id TEXT PRIMARY KEY,
    dialect TEXT NOT NULL,
    identifier TEXT NOT NULL,
    client_ip TEXT,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
      CHECK (state IN ('pending', 'sending', 'sent', 'no_account', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    lease_until INTEGER,
    finished_at INTEGER,
    last_error TEXT
  );
  CREATE INDEX reset_requests_due ON reset_requests (state, due_at);

  CREATE TABLE reset_tokens (
    hash TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX reset_tokens_user ON reset_tokens (user_id);

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    dialect TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  `,
  // The reset request table becomes the outbox of every delivery: reset mail, the
  // password-changed notice, the webhook. Tokens remember their origin; users their change.
  `
  ALTER TABLE reset_requests RENAME TO outbox;
  ALTER TABLE outbox RENAME COLUMN dialect TO origin;
  ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'reset'
    CHECK (kind IN ('reset', 'password_changed', 'webhook'));
  ALTER TABLE outbox ADD COLUMN payload TEXT;
  DROP INDEX reset_requests_due;
  CREATE INDEX outbox_due ON outbox (state, due_at);
  ALTER TABLE reset_tokens ADD COLUMN origin TEXT NOT NULL DEFAULT 'resetd';
  ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
  `,
  // A new state, 'throttled', and a count of the operator's retries (a retried mail is not
  // throttled again). SQLite cannot change a CHECK, so the table is rebuilt.
  `
  CREATE TABLE outbox_next (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'reset' CHECK (kind IN ('reset', 'password_changed', 'webhook')),
    origin TEXT NOT NULL,
    identifier TEXT NOT NULL,
    client_ip TEXT,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
      CHECK (state IN ('pending', 'sending', 'sent', 'no_account', 'throttled', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    lease_until INTEGER,
    finished_at INTEGER,
    last_error TEXT,
    payload TEXT,
    operator_retries INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO outbox_next (id, kind, origin, identifier, client_ip, created_at, state, attempts, due_at, lease_until, finished_at, last_error, payload)
    SELECT id, kind, origin, identifier, client_ip, created_at, state, attempts, due_at, lease_until, finished_at, last_error, payload FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_next RENAME TO outbox;
  CREATE INDEX outbox_due ON outbox (state, due_at);
  `,
  `
  CREATE TABLE captcha_tickets (
    hash TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX captcha_tickets_expiry ON captcha_tickets (expires_at);
  `,
  `
  ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
  `,
  // Accounts live in a directory (resetd's users table or the application's own): a token
  // keeps the account as the directory reported it, and no longer points into users. A
  // token is held by one completion while the directory sets the password. A pending
  // "password changed" notice carries its recipient.
  `
  CREATE TABLE reset_tokens_next (
    hash TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    account_email TEXT NOT NULL,
    account_name TEXT,
    account_locale TEXT,
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER,
    held_until INTEGER
  );
  INSERT INTO reset_tokens_next (hash, request_id, account_id, account_email, account_name, account_locale, origin, created_at, expires_at, used_at, revoked_at)
    SELECT t.hash, t.request_id, t.user_id, u.email, u.name, u.locale, t.origin, t.created_at, t.expires_at, t.used_at, t.revoked_at
      FROM reset_tokens t JOIN users u ON u.id = t.user_id;
  DROP TABLE reset_tokens;
  ALTER TABLE reset_tokens_next RENAME TO reset_tokens;
  CREATE INDEX reset_tokens_account ON reset_tokens (account_id);
  UPDATE outbox SET payload = (SELECT json_object('email', u.email, 'name', u.name, 'locale', u.locale) FROM users u WHERE u.id = outbox.identifier)
   WHERE kind = 'password_changed' AND payload IS NULL;
  `,
  // Retention (RETENTION_DAYS) deletes by age in small batches: each finds its rows by index.
  `
  CREATE INDEX outbox_created ON outbox (created_at);
  CREATE INDEX reset_tokens_expiry ON reset_tokens (expires_at);
  `,
  // Rate-limit counters (rate-limiter-flexible's SQLite limiter): in the file, so the serve
  // and worker processes share them and a restart keeps them.
  `
  CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    points INTEGER NOT NULL DEFAULT 0,
    expire INTEGER
  );
  CREATE INDEX rate_limits_expire ON rate_limits (expire);
  `,
];
