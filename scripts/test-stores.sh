#!/usr/bin/env bash
# Runs the test suite on the embedded SQLite store, then the same suite on PostgreSQL
# (RESETD_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test; each test uses a
# schema of its own). Where PostgreSQL is not reachable, the second run is skipped with a
# message, except in CI (CI=true), where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export RESETD_TEST_POSTGRES="${RESETD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"

echo "== test suite on SQLite"
RESETD_TEST_STORE=sqlite npx vitest run

if node -e "
  const pg = require('pg');
  const c = new pg.Client({ connectionString: process.env.RESETD_TEST_POSTGRES, connectionTimeoutMillis: 3000 });
  c.connect().then(() => c.end(), () => process.exit(1));
"; then
  echo "== test suite on PostgreSQL ($RESETD_TEST_POSTGRES)"
  RESETD_TEST_STORE=postgres npx vitest run
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $RESETD_TEST_POSTGRES: CI runs the suite on both stores" >&2
  exit 1
else
  echo "== PostgreSQL is not reachable at $RESETD_TEST_POSTGRES: the PostgreSQL run is skipped (set RESETD_TEST_POSTGRES to run it)"
fi
