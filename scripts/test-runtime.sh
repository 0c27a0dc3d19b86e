#!/usr/bin/env bash
# Lint and test the runtime backend package (runtime/). Servers the tests start on loopback are
# stopped by the pytest fixtures, also when a test fails. Extra arguments go to pytest.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

echo "[test-runtime] setting up the Python environment"
bash "$ROOT/scripts/setup-python.sh"

cd "$ROOT/runtime"
echo "[test-runtime] ruff check runtime"
"$VENV/bin/ruff" check .
echo "[test-runtime] ruff format --check runtime"
"$VENV/bin/ruff" format --check .

echo "[test-runtime] pytest runtime/tests"
exec "$VENV/bin/python" -m pytest tests -p no:cacheprovider "$@"
