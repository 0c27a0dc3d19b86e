#!/usr/bin/env bash
# The permission lists' own mutation run (StrykerJS does not mutate `as const` arrays): for every
# element of every list in lib/{aws,gcp,azure}/permissions.ts, run that cloud's policy tests with the
# element removed; a run that still passes is a surviving mutant. Writes reports/mutation/permission-drops.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
declare -A TESTS=(
  [aws]='test/aws/access-policy.test.ts test/aws/least-privilege.test.ts'
  [gcp]='test/gcp/iam.test.ts test/gcp/permissions.test.ts'
  [azure]='test/azure/abac.test.ts test/azure/permissions.test.ts'
)
out=reports/mutation/permission-drops.txt
mkdir -p reports/mutation
: > "$out"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Without a drop every test passes (else each "killed" below would mean nothing).
# shellcheck disable=SC2086
npx jest -c scripts/mutation/jest.drops.config.js --silent ${TESTS[aws]} ${TESTS[gcp]} ${TESTS[azure]} > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
killed=0 survived=0
for cloud in aws gcp azure; do
  module="lib/$cloud/permissions.ts"
  # `export const NAME = [` ... `] as const;`: one element per line that starts with a quote or backtick.
  while read -r list count; do
    for ((i = 0; i < count; i++)); do
      # shellcheck disable=SC2086
      if XCOMKIT_DROP="$module:$list:$i" npx jest -c scripts/mutation/jest.drops.config.js --bail --silent ${TESTS[$cloud]} > "$log" 2>&1; then
        survived=$((survived + 1)); echo "survived $module $list[$i]" | tee -a "$out"
      elif grep -q 'no such list element' "$log"; then
        echo "error: XCOMKIT_DROP=$module:$list:$i names no element" >&2; exit 1
      else
        killed=$((killed + 1)); echo "killed   $module $list[$i]" >> "$out"
      fi
    done
  done < <(python3 - "$module" <<'PY'
import re, sys
# `export const NAME = [ ... ] as const;`: the list's name and its number of elements.
text = open(sys.argv[1]).read()
for name, body in re.findall(r"^export const ([A-Z_]+) = \[(.*?)\] as const;", text, re.S | re.M):
    print(name, len(re.findall(r"^\s*[`'\"]|\[\s*[`'\"]", "[" + body, re.M)) if "\n" in body else len([e for e in body.split(",") if e.strip()]))
PY
)
done
echo "permission lists: $killed killed, $survived survived of $((killed + survived)) dropped elements" | tee -a "$out"
