#!/usr/bin/env bash
# Tests the unleash directory against a real unleash-server on loopback. The server is
# installed in test/unleash-server (its own package.json and lock file, never a dependency
# of resetd) the first time, and runs on a fresh database in RESETD_TEST_POSTGRES's server
# (default postgres://postgres@127.0.0.1:5432), dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-unleash-server.sh

echo "== unleash directory against a real Unleash"
npx vitest run --config vitest.unleash.config.ts "$@"
