#!/usr/bin/env bash
# Runs the whole test suite once on the embedded SQLite store (test/store runs its contract
# cases on SQLite and on PostgreSQL by itself), then, on PostgreSQL, only the tests whose
# outcome depends on the store beyond that contract suite (RESETD_TEST_POSTGRES, default
# postgres://postgres@127.0.0.1:5432/test; each test uses a schema of its own). Where
# PostgreSQL is not reachable, the second run is skipped with a message, except in CI
# (CI=true), where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export RESETD_TEST_POSTGRES="${RESETD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"

# The PostgreSQL pass. Every other test is HTTP, pages, dialects or directories over store
# methods that test/store proves on both stores: it runs once, on SQLite.
#   test/e2e: whole processes on one store: instances and workers sharing one PostgreSQL
#     (multi-instance), a process killed mid-send (mail-crash), PostgreSQL ending resetd's
#     connections under load (postgres-connection-loss, PostgreSQL only), SMTP refusals
#     becoming retries and dead letters (mail-delivery), the CLI on the store a server
#     uses (cli), tokens kept only as hashes (reset-flow). Not dev-mailbox-default (its
#     processes run on SQLite files of their own; the rest is configuration) nor
#     mail-templates (rendering) nor smtp-wire-text (the SMTP transport, no store).
#   test/http/reset-completion.test.ts: eight completions racing with one token, of which
#     one wins; expiry; a newer link revoking the older; every other token revoked after
#     a reset.
#   test/http/abuse-limits.test.ts: the limits through HTTP. Their counters are rows of the
#     store's rate_limits table (RateLimiterPostgres shared by every instance; on SQLite
#     RateLimiterSQLite in the same file, shared by serve and worker, kept over a restart);
#     a burst for one account in any letter case; a key the CLI revokes on the same store
#     is refused at once; failed tokens slowing guessers without locking out their
#     neighbours' links.
#   test/http/limiter-down.test.ts: a key checked while the counters' table is gone is
#     answered as an internal error, not as a wrong key.
#   test/http/reset-webhook.test.ts: the webhook is an outbox item, retried after 5xx
#     until it is delivered.
#   test/directory/http-reset-flow.test.ts: the outbox while the application is down
#     (attempts, then sent), the no_account, throttled and retry states, two completions
#     racing with one link (the application is asked once).
postgres_tests=(
  test/e2e
  test/http/reset-completion.test.ts
  test/http/abuse-limits.test.ts
  test/http/limiter-down.test.ts
  test/http/reset-webhook.test.ts
  test/directory/http-reset-flow.test.ts
  --exclude test/e2e/dev-mailbox-default.test.ts
  --exclude test/e2e/mail-templates.test.ts
  --exclude test/e2e/smtp-wire-text.test.ts
)

echo "== test suite on SQLite (test/store: SQLite and PostgreSQL)"
RESETD_TEST_STORE=sqlite npx vitest run

if node -e "
  const pg = require('pg');
  const c = new pg.Client({ connectionString: process.env.RESETD_TEST_POSTGRES, connectionTimeoutMillis: 3000 });
  c.connect().then(() => c.end(), () => process.exit(1));
"; then
  echo "== what depends on the store, on PostgreSQL ($RESETD_TEST_POSTGRES)"
  RESETD_TEST_STORE=postgres npx vitest run "${postgres_tests[@]}"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $RESETD_TEST_POSTGRES: CI runs the store-dependent tests on it" >&2
  exit 1
else
  echo "== PostgreSQL is not reachable at $RESETD_TEST_POSTGRES: the PostgreSQL run is skipped (set RESETD_TEST_POSTGRES to run it)"
fi
