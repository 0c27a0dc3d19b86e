#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, then type-checks, runs the
# TypeScript unit tests, the real (validated, cdk-nag-checked) synth of every environment, and the
# Python runtime package's tests against real local storage servers and a real Airflow.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit

echo "== unit tests (jest)"
npx jest --ci

if [[ -f scripts/test-runtime.sh ]]; then
  echo "== runtime package (pytest)"
  bash scripts/test-runtime.sh
fi
