#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm packages, the Python venv
# with Airflow and the local storage servers), then type-checks, runs the TypeScript unit tests and
# the Python runtime package's tests against real local servers and a real Airflow.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
if [[ -f scripts/setup-python.sh ]]; then bash scripts/setup-python.sh; fi

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit

echo "== unit tests (jest)"
npx jest --ci

echo "== static checks of every synthesized stack (checkov)"
bash scripts/checkov.sh

if [[ -f scripts/test-runtime.sh ]]; then
  echo "== runtime package (pytest)"
  bash scripts/test-runtime.sh
fi
