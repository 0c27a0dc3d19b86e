#!/usr/bin/env bash
# Installs the Node.js dependencies exactly as locked. Skips the work when node_modules already
# matches package-lock.json (outside CI), so repeated test runs stay fast.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.xcomkit-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "${CI:-}" != "true" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "install: node_modules is up to date with package-lock.json"
  exit 0
fi
echo "install: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
