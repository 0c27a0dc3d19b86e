#!/usr/bin/env bash
# The main job on a fresh machine, no cloud account needed: install, synthesize every environment,
# deploy dev into local servers (moto with IAM enforcement, a GCS emulator, Azurite), write the
# Airflow settings with `xcomkit env` from the local deploy outputs, check them with `xcomkit
# doctor`, and run a sample DAG in a real Airflow with the stock and the runtime backend on all three
# clouds. The servers are stopped at the end (also on failure) unless --keep is given.
#
#   npm run quickstart              # everything, servers stopped at the end
#   npm run quickstart -- --keep    # leave the local cloud up (stop it with: npx xcomkit local down)
#   npm run quickstart -- --no-fork # each DAG run a fresh interpreter (slower; see e2e/localcloud/warm.py)
set -euo pipefail
cd "$(dirname "$0")/.."

KEEP=0
DAG_ARGS=()
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    --no-fork) DAG_ARGS+=(--no-fork) ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown argument $arg (known: --keep, --no-fork)" >&2; exit 2 ;;
  esac
done

ENV_NAME=dev
STATE=.xcomkit/local
SETTINGS=out/local
XCOMKIT=(node bin/xcomkit.js)
PY=.venv/bin/python
STEPS=7
T0=$(date +%s.%N)
STEP=0
STEP_T=$T0

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# CPU seconds (user + system) of this shell and of every child it has waited for, from `times`,
# into CPU_NOW. `times` must run in this shell (a pipeline or $(...) would be a fresh subshell).
TIMES_FILE=$(mktemp)
cpu_now() {
  times >"$TIMES_FILE"
  CPU_NOW=$(awk '{ for (i = 1; i <= NF; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } } END { printf "%.2f", s }' "$TIMES_FILE")
}
cpu_since() { cpu_now; CPU_SINCE=$(awk -v a="$1" -v b="$CPU_NOW" 'BEGIN { printf "%.1f", b - a }'); }
cpu_now
CPU_T0=$CPU_NOW
STEP_CPU=$CPU_T0
step_done() { cpu_since "$STEP_CPU"; echo "   done in $(elapsed "$STEP_T") s (CPU $CPU_SINCE s)"; }
step() {
  if ((STEP > 0)); then step_done; fi
  STEP=$((STEP + 1))
  STEP_T=$(date +%s.%N)
  cpu_now
  STEP_CPU=$CPU_NOW
  echo
  echo "== [$STEP/$STEPS] $*   (at $(elapsed "$T0") s)"
}

cleanup() {
  local code=$?
  rm -f "$TIMES_FILE"
  if [[ "$KEEP" != 1 && -f "$STATE/state.json" ]]; then
    echo
    echo "== stopping the local servers (by PID; --keep leaves them up)"
    "${XCOMKIT[@]}" local down || true
  fi
  exit "$code"
}
trap cleanup EXIT

step "install (npm packages as locked, the compiled CLI in dist/; Python venv with Airflow, moto, GCS emulator)"
bash scripts/install.sh
bash scripts/build.sh
bash scripts/setup-python.sh

step "synthesize every environment (npm run synth: AWS CDK with cdk-nag and template validation, GCP and Azure CDKTF, one process)"
mkdir -p .xcomkit
stamp_file=.xcomkit/synth.sha256
stamp="$(find config lib/apps lib/aws lib/gcp lib/azure lib/terraform lib/config lib/binding.ts lib/rules.ts bin cdk.json cdktf.json package-lock.json -type f -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ -f cdk.out/manifest.json && -d cdktf.out/stacks && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
  echo "cdk.out and cdktf.out are up to date with config/, lib/ and bin/: reused"
else
  node --single-threaded-gc --max-semi-space-size=1 dist/bin/synth.js   # npm run synth, dist/ built above
  echo "$stamp" >"$stamp_file"
fi

step "xcomkit local up --env $ENV_NAME (deploy the synthesized stacks into local servers)"
if [[ -f "$STATE/state.json" ]]; then
  echo "a local cloud from an earlier --keep run is up: stopping it first"
  "${XCOMKIT[@]}" local down
fi
"${XCOMKIT[@]}" local up --env "$ENV_NAME" --state-dir "$STATE"

step "xcomkit env on the local deploy outputs (stock and runtime backend, every cloud)"
mkdir -p "$SETTINGS"
pids=()
for cloud in aws gcp azure; do
  outputs="$STATE/$ENV_NAME/$cloud-outputs.json"
  for backend in stock xcomkit; do
    "${XCOMKIT[@]}" env "$outputs" --backend "$backend" -o "$SETTINGS/$ENV_NAME.$cloud.$backend.env" --force -q &
    pids+=($!)
  done
  "${XCOMKIT[@]}" requirements "$outputs" --backend xcomkit -o "$SETTINGS/$ENV_NAME.$cloud.requirements.txt" --force &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for cloud in aws gcp azure; do
  echo "  $SETTINGS/$ENV_NAME.$cloud.stock.env  $SETTINGS/$ENV_NAME.$cloud.xcomkit.env  $SETTINGS/$ENV_NAME.$cloud.requirements.txt"
done
echo
cat "$SETTINGS/$ENV_NAME.aws.stock.env"

step "xcomkit doctor on each cloud's settings (static checks, then live with their credentials)"
doctor_failed=0
pids=()
for cloud in aws gcp azure; do
  (
    set -a
    # shellcheck disable=SC1091
    . "$STATE/$ENV_NAME/ambient.env"
    set +a
    "${XCOMKIT[@]}" doctor "$SETTINGS/$ENV_NAME.$cloud.stock.env" --python "$PY" >"$STATE/doctor.$cloud.txt" 2>&1
  ) &
  pids+=($!)
done
i=0
for cloud in aws gcp azure; do
  code=0
  wait "${pids[$i]}" || code=$?
  i=$((i + 1))
  cat "$STATE/doctor.$cloud.txt"
  case "$code" in
    0) ;;
    3) echo "   ($cloud: nothing failed; the rows \"not checked\" are what this local server cannot enforce)" ;;
    *) doctor_failed=1 ;;
  esac
  echo
done
if ((doctor_failed)); then
  echo "quickstart: xcomkit doctor found a failure (above)" >&2
  exit 1
fi

step "the sample DAG (e2e/dags/e2e_xcom_roundtrip.py) in a real Airflow: 3 clouds x 2 backends"
"$PY" e2e/quickstart.py --state-dir "$STATE" --settings "$SETTINGS" --home .xcomkit/quickstart "${DAG_ARGS[@]}"

step "the same against a real cloud"
cat <<'EOF'
  AWS:    npx cdk deploy --app cdk.out dev --outputs-file cdk-outputs.dev.json   (the synth of step 2)
          npx xcomkit env cdk-outputs.dev.json -o airflow.env && npx xcomkit doctor airflow.env --python <Airflow's python>
  GCP:    cd cdktf.out/stacks/gcp-dev && terraform init && terraform apply
          terraform output -json > ../../../tf-gcp-dev.json && cd - && npx xcomkit env tf-gcp-dev.json -o airflow.env
  Azure:  the same with cdktf.out/stacks/azure-dev (tf-azure-dev.json)
  Then:   npx xcomkit requirements <outputs> >> requirements.txt; the env file goes to Astro's .env,
          docker compose's env_file, or --format k8s / helm / mwaa (docs/cli.md).
  What the local servers could not enforce (IAM conditions; GCP and Azure IAM) is listed by
  `xcomkit local up` above and proven by the template-level tests (README, "Local cloud").
EOF
step_done
echo
cpu_since "$CPU_T0"
echo "quickstart finished in $(elapsed "$T0") s (CPU $CPU_SINCE s)"
