#!/usr/bin/env bash
# mutmut's test command (scripts/mutation/mutmut.cfg), run in the scratch copy of runtime/: first the
# tests that import no backend (layout, reference, integrity), then, only if those pass, the hermetic
# file:// backend tests; both stop at the first failure. Test files the checked-out commit does not
# have are skipped, so a "before" run on an older commit uses its own tests. With
# XCOMKIT_PYTEST_SOCKET the runs go to the pre-warmed pytest_fork_server.py (same tests, same
# verdicts, without importing Airflow again for every mutant).
set -euo pipefail
py="${XCOMKIT_PYTHON:?set by scripts/mutation.sh}"
existing() { for t in "$@"; do [[ -f "$t" ]] && echo "$t"; done; return 0; }
mapfile -t fast < <(existing tests/test_layout.py tests/test_layout_and_reference_exact.py tests/test_integrity.py)
mapfile -t slow < <(existing tests/test_backend_local.py tests/test_purge_failed_mirrors.py tests/test_safety.py)
opts=(-x -q -p no:cacheprovider)
# mutmut 2 counts only exit status 1 as "killed"; pytest exits 2 when a mutant breaks the import or
# the collection of a test module, 3-5 for internal errors or no tests: each means the mutant broke
# the tests, so every failure is reported as 1.
status=0
if [[ -n "${XCOMKIT_PYTEST_SOCKET:-}" ]]; then
  "$py" -I pytest_fork_server.py client "$XCOMKIT_PYTEST_SOCKET" "${opts[@]}" "${fast[@]}" -- "${opts[@]}" "${slow[@]}" || status=$?
else
  { "$py" -m pytest "${opts[@]}" "${fast[@]}" && "$py" -m pytest "${opts[@]}" "${slow[@]}"; } || status=$?
fi
(( status == 0 )) || exit 1
