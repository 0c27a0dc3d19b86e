#!/usr/bin/env bash
# Installs the Node.js dependencies as locked in package-lock.json. Skips the work when
# node_modules already matches the lockfile (outside CI), so repeated test runs stay fast.
#
# Why `npm install` and not `npm ci`: the lockfile records only the platform-specific optional
# binaries (@swc/core-*, resolver bindings) that the registry served where it was made; `npm ci`
# refuses a lockfile that lacks another platform's entries, while `npm install` keeps every locked
# version and fills in the binary for the platform it runs on.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.xcomkit-lock.sha256
want="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [[ "${CI:-}" != "true" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "install: node_modules is up to date with package-lock.json"
  exit 0
fi
echo "install: npm install (versions from package-lock.json)"
npm install --no-audit --no-fund --loglevel=error
echo "$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)" > "$stamp"
