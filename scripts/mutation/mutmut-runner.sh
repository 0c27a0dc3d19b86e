#!/usr/bin/env bash
# mutmut's test command (scripts/mutation/mutmut.cfg; with the argument `backend`,
# mutmut-backend.cfg), run in the scratch copy of runtime/: first the
# tests that import no backend (layout, reference, integrity), then, only if those pass, the hermetic
# file:// backend tests; both stop at the first failure. Test files the checked-out commit does not
# have are skipped, so a "before" run on an older commit uses its own tests. With
# XCOMKIT_PYTEST_SOCKET the runs go to the pre-warmed pytest_fork_server.py (same tests, same
# verdicts, without importing Airflow again for every mutant).
set -euo pipefail
py="${XCOMKIT_PYTHON:?set by scripts/mutation.sh}"
existing() { for t in "$@"; do [[ -f "$t" ]] && echo "$t"; done; return 0; }
if [[ "${1:-}" == backend ]]; then
  # backend.py and formats.py (mutmut-backend.cfg): the exact unit tests of the formats first, then
  # the file:// backend tests, the value table against the stock backend and the file:// streaming
  # tests (test_streaming.py's S3 tests need a moto server and are left out).
  mapfile -t fast < <(existing tests/test_formats.py tests/test_backend_exact.py)
  mapfile -t slow < <(existing tests/test_backend_local.py tests/test_safety.py tests/test_purge_failed_mirrors.py tests/test_value_table.py)
  if [[ -f tests/test_streaming.py ]]; then
    slow+=(
      tests/test_streaming.py::test_a_large_value_streams_to_file_storage_and_a_mirror_and_reads_back
      tests/test_streaming.py::test_a_large_dataframe_streams_and_reads_back_with_its_uncompressed_size
      tests/test_streaming.py::test_crossing_max_size_mid_stream_on_file_storage_leaves_no_file_not_even_a_temporary_one
      tests/test_streaming.py::test_an_array_whose_header_claims_more_than_the_recorded_size_is_refused_before_allocation
    )
  fi
else
  mapfile -t fast < <(existing tests/test_layout.py tests/test_layout_and_reference_exact.py tests/test_integrity.py)
  mapfile -t slow < <(existing tests/test_backend_local.py tests/test_purge_failed_mirrors.py tests/test_safety.py)
fi
opts=(-x -q -p no:cacheprovider)
# mutmut 2 counts only exit status 1 as "killed"; pytest exits 2 when a mutant breaks the import or
# the collection of a test module, 3-5 for internal errors or no tests: each means the mutant broke
# the tests, so every failure is reported as 1.
status=0
# Without any fast test file (a "before" run on a commit that has none), the slow group runs alone:
# an empty group would make pytest collect every test, the cloud ones included.
if (( ${#fast[@]} == 0 )); then fast=("${slow[@]}") slow=(); fi
if (( ${#slow[@]} == 0 )); then
  if [[ -n "${XCOMKIT_PYTEST_SOCKET:-}" ]]; then
    "$py" -I pytest_fork_server.py client "$XCOMKIT_PYTEST_SOCKET" "${opts[@]}" "${fast[@]}" || status=$?
  else
    "$py" -m pytest "${opts[@]}" "${fast[@]}" || status=$?
  fi
elif [[ -n "${XCOMKIT_PYTEST_SOCKET:-}" ]]; then
  "$py" -I pytest_fork_server.py client "$XCOMKIT_PYTEST_SOCKET" "${opts[@]}" "${fast[@]}" -- "${opts[@]}" "${slow[@]}" || status=$?
else
  { "$py" -m pytest "${opts[@]}" "${fast[@]}" && "$py" -m pytest "${opts[@]}" "${slow[@]}"; } || status=$?
fi
(( status == 0 )) || exit 1
