#!/usr/bin/env bash
# Installs the jsii package's Python wheel (built by scripts/jsii.sh) and what a Python CDK app needs
# (jsii/requirements-python.txt: aws-cdk-lib and constructs from PyPI) into the project's .venv
# (scripts/setup-python.sh), for test/jsii. The runtime's constraints stay in force, so nothing the
# Airflow tests rely on changes version. Skips the work when the wheel and the requirements hash
# like the last install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/jsii/requirements-python.txt"
CONSTRAINTS="$ROOT/runtime/constraints-test.txt"
STAMP="$VENV/.xcomkit-stamp-cdk"

log() { echo "[setup-python-cdk] $*"; }

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "[setup-python-cdk] no venv at $VENV: run scripts/setup-python.sh first" >&2
  exit 1
fi
shopt -s nullglob
wheels=("$ROOT"/jsii/dist/python/*.whl)
if [[ ${#wheels[@]} -ne 1 ]]; then
  echo "[setup-python-cdk] expected one wheel in jsii/dist/python, found ${#wheels[@]}: run scripts/jsii.sh first" >&2
  exit 1
fi
WHEEL="${wheels[0]}"

inputs_hash() {
  cat "$REQUIREMENTS" "$CONSTRAINTS" "$WHEEL" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1
}
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(inputs_hash)" ]]; then
  log "aws-cdk-lib and $(basename "$WHEEL") are up to date in $VENV"
  exit 0
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
log "installing $(basename "$WHEEL") and jsii/requirements-python.txt"
# --force-reinstall of the wheel alone: a rebuilt wheel keeps its version number.
"$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" -r "$REQUIREMENTS"
"$VENV/bin/python" -m pip install --quiet --no-deps --force-reinstall "$WHEEL"
"$VENV/bin/python" -m pip check
inputs_hash >"$STAMP"
log "done: $("$VENV/bin/python" -c 'import importlib.metadata as m; print("aws-cdk-lib", m.version("aws-cdk-lib"), "/ airflow-xcom-kit-aws", m.version("airflow-xcom-kit-aws"))')"
