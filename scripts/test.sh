#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (npm packages, the Python venv
# with Airflow and the local storage servers), then type-checks, runs the TypeScript unit tests and
# checkov over every synthesized stack, the Python runtime package's tests against real local servers
# and a real Airflow, and the end-to-end suite (xcomkit's output driving a real Airflow against moto
# with IAM enforcement and the synthesized least-privilege policy).
#
# Everything it prints is also written to out/test-logs/npm-test.log, and the Python suites keep the
# logs they write into temporary directories (the storage servers' logs, Airflow's task logs, the DAG
# runs' logs) under out/test-logs/<suite>/ (XCOMKIT_TEST_LOG_DIR). The whole folder is scanned for
# credentials when the run ends, passed or failed (SECURITY.md): a failed run keeps its exit code, a
# run that passed fails if the scan finds a credential.
set -euo pipefail
cd "$(dirname "$0")/.."

LOGS=out/test-logs
LOG="$LOGS/npm-test.log"
rm -rf "$LOGS"  # one run's logs only: disk use stays bounded
mkdir -p "$LOGS"
: >"$LOG"
exec 3>&1 4>&2
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!

scan_logs() {
  local code=$? scan
  trap - EXIT
  set +e
  # Close the pipe to tee and let it write what it still holds, so the scan reads the whole log
  # (bounded: a leftover process that still holds the pipe would keep tee running).
  exec 1>&3 2>&4
  for _ in $(seq 50); do kill -0 "$TEE_PID" 2>/dev/null || break; sleep 0.1; done
  {
    echo "== secret hygiene: no credential in this run's logs ($LOGS/: the console log and every suite's kept logs; exit code so far: $code)"
    npx tsx scripts/secret-scan.ts "$LOGS"
  } 2>&1 | tee -a "$LOG"
  scan=${PIPESTATUS[0]}
  if ((code == 0)); then code=$scan; fi
  exit "$code"
}
trap scan_logs EXIT

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
XCOMKIT_TEST_LOG_DIR="$PWD/$LOGS/runtime" bash scripts/test-runtime.sh

echo "== end to end: xcomkit output -> real Airflow on AWS (moto, IAM enforced), GCP (GCS emulator), Azure (Azurite) (pytest)"
XCOMKIT_TEST_LOG_DIR="$PWD/$LOGS/e2e" bash scripts/test-e2e.sh

if [[ "${CI:-}" == "true" ]] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "== clean work tree: everything this run generated is git-ignored (CI)"
  dirty="$(git status --porcelain)"
  if [[ -n "$dirty" ]]; then
    echo "the work tree changed during the run:"; echo "$dirty"; exit 1
  fi
fi
