#!/usr/bin/env bash
# End-to-end suite (e2e/): xcomkit's emitted settings drive a real Airflow (stock and runtime
# backend) on all three clouds: the AWS stack's synthesized policy in moto with IAM enforcement, and
# the GCP and Azure synths deployed by `xcomkit local up`'s code into the GCS emulator and Azurite.
# Needs the npm packages (scripts/install.sh); builds dist/ (bin/xcomkit.js runs it) and creates/updates
# the Python venv itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh

bash scripts/setup-python.sh

echo "== e2e: ruff (e2e/ and doctor's probe, lib/cli/doctor/probe.py)"
.venv/bin/ruff check e2e
.venv/bin/ruff check --config e2e/ruff.toml lib/cli/doctor
.venv/bin/ruff format --check --config e2e/ruff.toml e2e lib/cli/doctor

echo "== e2e: pytest"
.venv/bin/python -m pytest e2e -q
