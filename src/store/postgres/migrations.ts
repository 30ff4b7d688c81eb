/**
 * The PostgreSQL schema, in versions applied in order at start under an advisory lock, so
 * several instances starting at once migrate exactly once. Times are milliseconds since
 * the epoch (BIGINT), as in the SQLite store. Append; never edit a shipped step.
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
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT
  );
  CREATE INDEX users_name_key ON users (name_key);

  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'reset' CHECK (kind IN ('reset', 'password_changed', 'webhook')),
    origin TEXT NOT NULL,
    identifier TEXT NOT NULL,
    client_ip TEXT,
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
      CHECK (state IN ('pending', 'sending', 'sent', 'no_account', 'throttled', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL,
    lease_until BIGINT,
    finished_at BIGINT,
    last_error TEXT,
    payload TEXT,
    operator_retries INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX outbox_due ON outbox (state, due_at);

  CREATE TABLE reset_tokens (
    hash TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX reset_tokens_user ON reset_tokens (user_id);

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    dialect TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  );

  CREATE TABLE captcha_tickets (
    hash TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX captcha_tickets_expiry ON captcha_tickets (expires_at);
  `,
  // Counters of rate-limiter-flexible's PostgreSQL limiter, shared by every instance.
  `
  CREATE TABLE rate_limits (
    key VARCHAR(255) PRIMARY KEY,
    points INTEGER NOT NULL DEFAULT 0,
    expire BIGINT
  );
  CREATE INDEX rate_limits_expire ON rate_limits (expire);
  `,
  `
  ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false;
  `,
  // Accounts live in a directory: a token keeps the account as the directory reported it
  // and no longer points into users; one completion holds a token while the directory
  // sets the password; a pending "password changed" notice carries its recipient.
  `
  ALTER TABLE reset_tokens DROP CONSTRAINT IF EXISTS reset_tokens_user_id_fkey;
  ALTER TABLE reset_tokens RENAME COLUMN user_id TO account_id;
  ALTER INDEX reset_tokens_user RENAME TO reset_tokens_account;
  ALTER TABLE reset_tokens
    ADD COLUMN account_email TEXT,
    ADD COLUMN account_name TEXT,
    ADD COLUMN account_locale TEXT,
    ADD COLUMN held_until BIGINT;
  UPDATE reset_tokens t SET account_email = u.email, account_name = u.name, account_locale = u.locale
    FROM users u WHERE u.id = t.account_id;
  DELETE FROM reset_tokens WHERE account_email IS NULL;
  ALTER TABLE reset_tokens ALTER COLUMN account_email SET NOT NULL;
  UPDATE outbox o SET payload = json_build_object('email', u.email, 'name', u.name, 'locale', u.locale)::text
    FROM users u WHERE u.id = o.identifier AND o.kind = 'password_changed' AND o.payload IS NULL;
  `,
  // Retention (RETENTION_DAYS) deletes by age in small batches: each finds its rows by index.
  `
  CREATE INDEX outbox_created ON outbox (created_at);
  CREATE INDEX reset_tokens_expiry ON reset_tokens (expires_at);
  `,
  // Instances keep valid API keys in memory (api-key-cache.ts): any change to api_keys,
  // whoever makes it, tells every listening instance to forget them.
  `
  CREATE FUNCTION api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('resetd_api_keys', TG_TABLE_SCHEMA);
    RETURN NULL;
  END;
  $$;
  CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_changed();
  `,
];
