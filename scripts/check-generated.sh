#!/usr/bin/env bash
# Fails when generated/ does not match what `npm run generate` makes from openapi/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r generated "$tmp/before"
bash scripts/generate.sh >/dev/null
if ! diff -r "$tmp/before" generated >"$tmp/diff"; then
  cp -r "$tmp/before/." generated/
  echo "generated/ is stale: run 'npm run generate' and commit the result." >&2
  head -40 "$tmp/diff" >&2
  exit 1
fi
echo "generated/ is fresh"
