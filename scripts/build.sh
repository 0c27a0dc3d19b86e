#!/usr/bin/env bash
# Compiles lib/ into dist/ (JS + .d.ts: what the package ships and what bin/xcomkit.js runs), and the
# fast synth (bin/synth.ts, `npm run synth`) into dist/bin/, unless dist/ is newer than every source file, so the scripts that need it can call this freely.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=dist/.build-stamp
if [[ -f "$stamp" && -z "$(find lib bin/synth.ts package.json tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit)" ]]; then
  echo "build: dist/ is up to date"
  exit 0
fi
echo "build: npm run build (tsc -p tsconfig.build.json)"
npm run --silent build
touch "$stamp"
