#!/usr/bin/env bash
# Create or update the Python environment for the runtime backend package (runtime/) at <repo>/.venv.
# Idempotent: skips the install when the stamp matches the hash of the pinned inputs.
# XCOMKIT_REFRESH_CONSTRAINTS=1 resolves runtime/requirements-test.txt afresh and rewrites
# runtime/constraints-test.txt from the result.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3.11}"
RUNTIME="$ROOT/runtime"
REQUIREMENTS="$RUNTIME/requirements-test.txt"
CONSTRAINTS="$RUNTIME/constraints-test.txt"
STAMP="$VENV/.xcomkit-stamp"
PIP_VERSION="26.3"
REFRESH="${XCOMKIT_REFRESH_CONSTRAINTS:-0}"

log() { echo "[setup-python] $*"; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "[setup-python] $PYTHON not found on PATH (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

inputs_hash() {
  cat "$REQUIREMENTS" "$CONSTRAINTS" "$RUNTIME/pyproject.toml" "${BASH_SOURCE[0]}" \
    | sha256sum | cut -d' ' -f1
}

if [[ -x "$VENV/bin/python" && ! -x "$VENV/bin/pip" ]]; then
  log "removing broken venv at $VENV"
  rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating venv at $VENV with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv "$VENV"
fi

if [[ "$REFRESH" != "1" && -f "$STAMP" && "$(cat "$STAMP")" == "$(inputs_hash)" ]]; then
  log "venv is up to date ($VENV)"
  exit 0
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
log "installing pip==$PIP_VERSION"
"$VENV/bin/python" -m pip install --quiet "pip==$PIP_VERSION"

if [[ "$REFRESH" == "1" ]]; then
  log "resolving $REQUIREMENTS without constraints"
  "$VENV/bin/python" -m pip install -r "$REQUIREMENTS" -e "$RUNTIME[aws,gcp,azure,test]"
  log "writing $CONSTRAINTS"
  {
    echo "# Versions the runtime tests pass with (pip freeze of .venv after scripts/setup-python.sh)."
    echo "# Regenerate: XCOMKIT_REFRESH_CONSTRAINTS=1 scripts/setup-python.sh"
    "$VENV/bin/python" -m pip freeze --exclude-editable | grep -v '^airflow-xcomkit'
  } >"$CONSTRAINTS.tmp"
  mv "$CONSTRAINTS.tmp" "$CONSTRAINTS"
else
  log "installing runtime[aws,gcp,azure,test] (editable) and test requirements, pinned by $CONSTRAINTS"
  "$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" -r "$REQUIREMENTS" -e "$RUNTIME[aws,gcp,azure,test]"
fi

log "checking installed requirements"
"$VENV/bin/python" -m pip check
inputs_hash >"$STAMP"
log "done: $("$VENV/bin/python" -c 'import airflow; print("apache-airflow", airflow.__version__)')"
