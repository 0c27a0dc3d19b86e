#!/usr/bin/env bash
# Static checks of what the stacks synthesize, with checkov (pinned, in its own venv: its
# dependencies do not mix with Airflow's). Synthesizes every environment into a temp dir with the
# fast synth (`npm run synth`, byte for byte the CLI path's templates), then fails on any finding
# that is not skipped with a written reason (AWS: resource metadata next to the cdk-nag
# acknowledgements; GCP/Azure: checkov/terraform.yaml).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-checkov"
CHECKOV_VERSION="3.3.30"
PYTHON="${PYTHON:-python3.11}"

if [[ ! -x "$VENV/bin/checkov" || "$("$VENV/bin/checkov" --version 2>/dev/null)" != "$CHECKOV_VERSION" ]]; then
  echo "[checkov] installing checkov==$CHECKOV_VERSION into .venv-checkov"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bash scripts/build.sh >/dev/null
node --single-threaded-gc --max-semi-space-size=1 dist/bin/synth.js --quiet --cdk-out "$out/cdk.out" --cdktf-out "$out/cdktf.out"

echo "[checkov] CloudFormation templates (every environment)"
"$VENV/bin/checkov" -d "$out/cdk.out" --framework cloudformation --compact --quiet --skip-download
echo "[checkov] Terraform JSON (every GCP and Azure stack)"
"$VENV/bin/checkov" -d "$out/cdktf.out" --config-file checkov/terraform.yaml
