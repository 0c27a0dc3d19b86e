#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm packages, the Python venv
# with Airflow and the local storage servers), then type-checks, runs the TypeScript unit tests and
# checkov over every synthesized stack, the Python runtime package's tests against real local servers
# and a real Airflow, and the end-to-end suite (xcomkit's output driving a real Airflow against moto
# with IAM enforcement and the synthesized least-privilege policy). Everything it prints is also
# written to out/test-logs/npm-test.log, which is scanned for credentials at the end (SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."

LOG=out/test-logs/npm-test.log
mkdir -p "$(dirname "$LOG")"
: >"$LOG"
exec > >(tee -a "$LOG") 2>&1

bash scripts/install.sh
bash scripts/build.sh
bash scripts/setup-python.sh

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit

echo "== unit tests (jest)"
npx jest --ci

echo "== static checks of every synthesized stack (checkov)"
bash scripts/checkov.sh

echo "== runtime package (pytest)"
bash scripts/test-runtime.sh

echo "== end to end: xcomkit output -> real Airflow on AWS (moto, IAM enforced), GCP (GCS emulator), Azure (Azurite) (pytest)"
bash scripts/test-e2e.sh

echo "== secret hygiene: no credential in this run's log ($LOG)"
npx tsx scripts/secret-scan.ts "$LOG"

if [[ "${CI:-}" == "true" ]] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "== clean work tree: everything this run generated is git-ignored (CI)"
  dirty="$(git status --porcelain)"
  if [[ -n "$dirty" ]]; then
    echo "the work tree changed during the run:"; echo "$dirty"; exit 1
  fi
fi
