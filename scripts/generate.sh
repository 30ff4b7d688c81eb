#!/usr/bin/env bash
# Builds everything in generated/ from openapi/: the merged spec, its TypeScript types and
# the offline docs page. generated/ is committed; CI checks it is fresh.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin

# Runs a step quietly; prints what it said only when it fails.
step() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "generate: '$*' failed" >&2
    exit 1
  fi
}

# resetd.yaml first: its info block becomes the merged spec's. Every other file in openapi/
# is a dialect's, found here, so adding one needs no change to this script.
dialects=$(ls openapi/*.yaml | grep -v '^openapi/resetd.yaml$' | sort)
step $bin/redocly join openapi/resetd.yaml $dialects --without-x-tag-groups -o generated/openapi.yaml
step node scripts/carry-descriptions.mjs generated/openapi.yaml $dialects
step $bin/redocly lint openapi/*.yaml generated/openapi.yaml --format=stylish
step $bin/openapi-typescript generated/openapi.yaml -c scripts/redocly-types.yaml -o generated/api.ts
step $bin/redocly build-docs generated/openapi.yaml --inlineBundle --title "resetd API" \
  -o generated/docs.html
step node scripts/offline-docs.mjs generated/docs.html
echo "generated/: openapi.yaml, api.ts, docs.html (lint clean)"
