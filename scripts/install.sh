#!/usr/bin/env bash
# Installs the Node.js dependencies exactly as locked in package-lock.json (`npm ci`: the lockfile
# is never rewritten, so the work tree stays clean). The lockfile lists every platform's optional
# binaries (@swc/core-*, resolver bindings); npm picks the one for the platform it runs on. Skips
# the work when node_modules already matches the lockfile (outside CI), so repeated runs stay fast.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.xcomkit-lock.sha256
want="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [[ "${CI:-}" != "true" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "install: node_modules is up to date with package-lock.json"
  exit 0
fi
echo "install: npm ci (versions from package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error
echo "$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)" > "$stamp"
