#!/usr/bin/env bash
# End-to-end suite (e2e/): the AWS stack's synthesized policy and xcomkit's emitted settings drive a
# real Airflow (stock XComObjectStorageBackend) against a local moto server with IAM enforcement.
# Needs the npm packages (scripts/install.sh) and creates/updates the Python venv itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-python.sh

echo "== e2e: ruff"
.venv/bin/ruff check e2e

echo "== e2e: pytest"
.venv/bin/python -m pytest e2e -q
