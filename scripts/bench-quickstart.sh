#!/usr/bin/env bash
# Second-run timings of `npm run quickstart`, side by side: the DAG runs forked from a warm parent
# (the default) and each as a fresh interpreter (--no-fork), alternated, N runs each. Prints each
# run's wall and CPU seconds (user + system of the quickstart and every process it waited for,
# plus the local servers' own CPU read from /proc before they are stopped), the load average, and
# the medians and their ratio. Run the quickstart once before, so that install and synth are reused.
#
#   bash scripts/bench-quickstart.sh [runs]     # default 3
#   NICE="nice -n -20" bash scripts/bench-quickstart.sh   # as root: approximate an idle machine
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:-3}"
NICE="${NICE:-}"
OUT=$(mktemp -d)
trap 'node bin/xcomkit.js local down >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT
TCK=$(getconf CLK_TCK)

servers_cpu() {
  local total=0 pid t
  for pid in $(.venv/bin/python -c "import json; print(' '.join(str(s['pid']) for s in json.load(open('.xcomkit/local/state.json'))['servers'].values()))"); do
    [[ -r /proc/$pid/stat ]] || continue
    t=$(awk -v t="$TCK" '{ print ($14 + $15 + $16 + $17) / t }' "/proc/$pid/stat")
    total=$(awk -v a="$total" -v b="$t" 'BEGIN { print a + b }')
  done
  echo "$total"
}

one() { # <mode> <args...>: one quickstart with --keep, then its servers' CPU, then local down
  local mode=$1 load wall user sys srv
  shift
  node bin/xcomkit.js local down >/dev/null 2>&1 || true
  load=$(cut -d' ' -f1 /proc/loadavg)
  $NICE /usr/bin/time -f "%e %U %S" -o "$OUT/time" bash scripts/quickstart.sh --keep "$@" >"$OUT/log" 2>&1 || {
    cat "$OUT/log" >&2
    exit 1
  }
  srv=$(servers_cpu)
  node bin/xcomkit.js local down >/dev/null
  read -r wall user sys <"$OUT/time"
  awk -v m="$mode" -v w="$wall" -v u="$user" -v s="$sys" -v v="$srv" -v l="$load" \
    'BEGIN { printf "%-8s wall %6.1f s  CPU %5.1f s (+ servers %4.1f s)  load %s\n", m, w, u + s, v, l }' | tee -a "$OUT/rows"
  grep -E '^   done in' "$OUT/log" | awk '{ printf "    step %d: %s\n", NR, $0 }' | sed 's/   done in //'
}

for ((i = 1; i <= RUNS; i++)); do
  one forked
  one no-fork --no-fork
done
echo
awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { m = $1; n[m]++; w[m, n[m]] = $3; c[m, n[m]] = $6 + $10 }
  END {
    for (m in n) { for (i = 1; i <= n[m]; i++) { ww[i] = w[m, i]; cc[i] = c[m, i] }
      mw[m] = median(ww, n[m]); mc[m] = median(cc, n[m])
      printf "%-8s median of %d: wall %.1f s, CPU %.1f s (with the servers)\n", m, n[m], mw[m], mc[m] }
    if (mw["forked"] > 0) printf "no-fork / forked: wall %.2fx, CPU %.2fx\n", mw["no-fork"] / mw["forked"], mc["no-fork"] / mc["forked"]
  }' "$OUT/rows"
