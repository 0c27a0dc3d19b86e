#!/usr/bin/env bash
# mutmut's test command (scripts/mutation/mutmut.cfg), run in the scratch copy of runtime/: first the
# tests that import no backend (layout, reference, integrity: a second or two), then, only if those
# pass, the hermetic file:// backend tests. Both stop at the first failure. Test files the checked-out
# commit does not have are skipped, so a "before" run on an older commit uses its own tests.
set -euo pipefail
py="${XCOMKIT_PYTHON:?set by scripts/mutation.sh}"
run() {
  local files=()
  for t in "$@"; do [[ -f "$t" ]] && files+=("$t"); done
  (( ${#files[@]} == 0 )) || "$py" -m pytest -x -q -p no:cacheprovider "${files[@]}"
}
run tests/test_layout.py tests/test_layout_and_reference_exact.py tests/test_integrity.py
run tests/test_backend_local.py tests/test_purge_failed_mirrors.py tests/test_safety.py
