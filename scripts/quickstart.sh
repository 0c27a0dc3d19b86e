#!/usr/bin/env bash
# The main job on a local default, no cloud account needed: installs the Node.js dependencies,
# synthesizes every environment of config/environments.yaml offline (AWS with cdk-nag and template
# validation; GCP and Azure with CDKTF), then turns the dev bindings into Airflow settings with
# xcomkit. Values that exist only after a deploy show as <deploy-time:...> placeholders.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh

echo "== AWS: cdk synth (every environment; cdk-nag AwsSolutions + template validation)"
npx cdk synth --quiet --output cdk.out
echo "== GCP and Azure: CDKTF synth (every environment)"
npx tsx bin/terraform.ts

mkdir -p out
for cloud in aws gcp azure; do
  src=cdk.out; [[ "$cloud" == aws ]] || src=cdktf.out
  npx xcomkit env "$src" --cloud "$cloud" --env dev --format dotenv --output "out/dev.$cloud.env" --force
  npx xcomkit requirements "$src" --cloud "$cloud" --env dev > "out/dev.$cloud.requirements.txt"
done

echo
echo "== The bindings"
npx xcomkit show cdk.out --env dev
npx xcomkit show cdktf.out --env dev
echo
echo "== Airflow settings for dev (placeholders until deployed):"
for cloud in aws gcp azure; do echo "  out/dev.$cloud.env  out/dev.$cloud.requirements.txt"; done
echo
cat out/dev.aws.env
