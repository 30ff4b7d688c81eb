#!/usr/bin/env bash
# Installs the real unleash-server into test/unleash-server (its own package.json and lock
# file, never a dependency of resetd) unless it is already there. Used by `npm run
# test:unleash` and `npm run bench:unleash`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d test/unleash-server/node_modules/unleash-server ]; then
  echo "== installing unleash-server in test/unleash-server"
  # Scarf (a dependency of Unleash's API docs) would report the install; it is told not to.
  SCARF_ANALYTICS=false npm ci --prefix test/unleash-server --no-audit --no-fund
fi
