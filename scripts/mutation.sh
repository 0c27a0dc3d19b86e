#!/usr/bin/env bash
# Mutation testing of the kit's critical scopes; not part of `npm test` or CI (it takes tens of
# minutes). Installs its tools itself, outside package.json:
#   TypeScript: StrykerJS (jest runner), one run per scope: the config's rules and the CLI writer
#               (scripts/mutation/stryker.config.json), the comment lines and line/k8s formats
#               (stryker.formats.json, stryker.k8s.json), the AWS/GCP/Azure permission modules
#               (stryker.permissions.json) and their lists, element by element (permission-drops.sh).
#   Python:     mutmut over the runtime backend's layout, reference and integrity modules, in a
#               scratch copy of runtime/ with its hermetic (file://) tests (scripts/mutation/mutmut.cfg,
#               mutmut-runner.sh, through the pre-warmed pytest_fork_server.py); py-backend: the same
#               for the backend class and its stored formats (backend.py, formats.py; mutmut-backend.cfg).
# Usage: bash scripts/mutation.sh [ts|core|formats|permissions|py|py-backend|all]   (default all; ts = the three TypeScript scopes). Reports: reports/mutation/ (git-ignored).
# Scores and the accepted survivors are in docs/mutation.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
STRYKER_VERSION=9.6.1   # 10.x needs Node 22; the kit supports Node 20
MUTMUT_VERSION=2.5.1   # 3.x found no test coverage through the src layout here; 2.x runs a test command per mutant

install_stryker() {
  bash scripts/install.sh
  if [[ "$(node -p "try{require('@stryker-mutator/core/package.json').version}catch{''}")" != "$STRYKER_VERSION" ]]; then
    npm install --no-save --no-audit --no-fund --loglevel=error \
      "@stryker-mutator/core@$STRYKER_VERSION" "@stryker-mutator/jest-runner@$STRYKER_VERSION"
  fi
}

# One run per scope, so a scope's report is complete even if a later one is stopped. Incremental: a
# rerun retests only mutants whose code or covering tests changed (reports/mutation/*.incremental.json).
# Fewer fuzz examples per mutant (XCOMKIT_FUZZ_RUNS): each mutant runs the tests that cover it.
run_core() { install_stryker; XCOMKIT_FUZZ_RUNS=8 npx stryker run scripts/mutation/stryker.config.json; }
run_formats() {
  install_stryker
  XCOMKIT_FUZZ_RUNS=8 npx stryker run scripts/mutation/stryker.formats.json
  XCOMKIT_FUZZ_RUNS=8 npx stryker run scripts/mutation/stryker.k8s.json
}
# The permission modules keep static mutants and run the policy tests only; StrykerJS leaves the
# `as const` lists alone, so permission-drops.sh removes each of their elements in turn.
run_permissions() {
  install_stryker
  npx stryker run scripts/mutation/stryker.permissions.json
  bash scripts/mutation/permission-drops.sh
}
run_ts() { run_core; run_formats; run_permissions; }

# py: layout/reference/integrity (mutmut.cfg); py-backend: backend.py and formats.py (mutmut-backend.cfg).
# Incremental like Stryker: the result cache (reports/mutation/<report>.mutmut-cache) is reused, so a
# rerun after new tests retests the survivors only; XCOMKIT_MUTATION_FRESH=1 starts afresh.
# XCOMKIT_MUTATION_SAMPLE=N tests one mutant in N (scripts/mutation/mutmut_config.py), for a quick figure.
run_py() {
  local scope="${1:-py}" cfg=scripts/mutation/mutmut.cfg default_report=mutmut
  if [[ "$scope" == backend ]]; then cfg=scripts/mutation/mutmut-backend.cfg default_report=mutmut-backend; fi
  bash scripts/setup-python.sh
  .venv/bin/python -m pip install --quiet "mutmut==$MUTMUT_VERSION"
  # mutmut rewrites the files it mutates: work on a scratch copy of runtime/, never on the sources.
  # XCOMKIT_MUTATION_RUNTIME=<dir> takes runtime/ from another checkout (the "before" run of docs/mutation.md).
  local src="${XCOMKIT_MUTATION_RUNTIME:-runtime}" report="${XCOMKIT_MUTATION_REPORT:-$default_report}"
  scratch="$(mktemp -d)" server=""
  mkdir -p reports/mutation
  cache="$PWD/reports/mutation/$report.mutmut-cache"
  # The results so far are kept even when the run is stopped (mutmut 2.5.1 sometimes stops with
  # "Attribute Mutant.line is required", or hangs after it: rerun the same command to continue).
  trap '[[ -z "$server" ]] || kill "$server" 2>/dev/null; [[ ! -f "$scratch/.mutmut-cache" ]] || cp "$scratch/.mutmut-cache" "$cache"; rm -rf "$scratch"' EXIT
  cp -r "$src/src" "$src/tests" "$src/pyproject.toml" "$scratch"/
  # No bytecode: a mutant of the same size written within the same second as the previous one
  # could otherwise be run from the previous one's cached .pyc.
  find "$scratch" -name __pycache__ -prune -exec rm -rf {} +
  export PYTHONDONTWRITEBYTECODE=1
  cp "$cfg" "$scratch/setup.cfg"
  if [[ "${XCOMKIT_MUTATION_FRESH:-0}" != 1 && -f "$cache" ]]; then cp "$cache" "$scratch/.mutmut-cache"; fi
  cp scripts/mutation/mutmut-runner.sh scripts/mutation/pytest_fork_server.py scripts/mutation/mutmut_config.py "$scratch/"
  # The runner uses the project venv's Python (the one with Airflow); PYTHONPATH=src makes the tests
  # import the mutated copy, not the editable install of runtime/.
  export XCOMKIT_PYTHON="$PWD/.venv/bin/python" PYTHONPATH="$scratch/src"
  # A pre-warmed pytest (see pytest_fork_server.py), stopped by its PID on exit; a bounded wait.
  export XCOMKIT_PYTEST_SOCKET="$scratch/pytest.sock"
  (cd "$scratch" && exec "$XCOMKIT_PYTHON" pytest_fork_server.py serve "$XCOMKIT_PYTEST_SOCKET" > "$scratch/server.log" 2>&1) &
  server=$!
  for _ in $(seq 1 180); do grep -q '^ready' "$scratch/server.log" 2>/dev/null && break; sleep 1; done
  grep -q '^ready' "$scratch/server.log" || { cat "$scratch/server.log" >&2; echo "mutation: the pytest server did not start" >&2; exit 1; }
  (cd "$scratch" && "$XCOMKIT_PYTHON" -m mutmut run || true)
  (cd "$scratch" && "$XCOMKIT_PYTHON" -m mutmut results) | tee "reports/mutation/$report.txt"
  # The survivors' diffs, to read after the scratch copy is gone.
  (cd "$scratch" && "$XCOMKIT_PYTHON" -m mutmut show all) > "reports/mutation/$report-survivors.txt" || true
}

case "$what" in
  ts) run_ts ;;
  core) run_core ;;
  formats) run_formats ;;
  permissions) run_permissions ;;
  py) run_py ;;
  py-backend) run_py backend ;;
  all) run_ts; run_py; run_py backend ;;
  *) echo "usage: $0 [ts|core|formats|permissions|py|py-backend|all]" >&2; exit 2 ;;
esac
