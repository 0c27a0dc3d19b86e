from concurrent.futures import ThreadPoolExecutor

import pytest

from airflow_xcomkit.layout import MAX_PART_LENGTH, relative_object_path, sanitize_part


def test_object_path_has_dag_run_task_map_index_and_key_with_a_unique_suffix():
    path = relative_object_path(
        dag_id="etl", run_id="scheduled_1", task_id="load", map_index=3, key="rows", extension="parquet"
    )
    dag, run, task, map_index, name = path.split("/")
    assert (dag, run, task, map_index) == ("etl", "scheduled_1", "load", "3")
    assert name.startswith("rows-") and name.endswith(".parquet")
    assert len(name.removeprefix("rows-").removesuffix(".parquet")) == 32


@pytest.mark.parametrize("part", ["..", ".", "", "../../etc", "a/b", "/abs", "x\\y", "a\x00b", None])
def test_no_part_can_traverse_or_be_empty(part):
    safe = sanitize_part(part)
    assert safe
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe.strip(".") != ""
    assert ".." not in safe.split("/")


def test_run_ids_with_colons_and_plus_keep_distinct_folders():
    a = sanitize_part("manual__2024-01-01T00:00:00+00:00")
    b = sanitize_part("manual__2024-01-01T00_00_00_00_00")
    assert ":" not in a and "+" not in a
    assert a != b


def test_long_parts_are_truncated_but_stay_distinct():
    a = sanitize_part("k" * 500 + "a")
    b = sanitize_part("k" * 500 + "b")
    assert len(a) <= MAX_PART_LENGTH + 9
    assert a != b


def test_ordinary_ids_are_kept_verbatim():
    assert sanitize_part("my_dag.v2-prod") == "my_dag.v2-prod"
    assert sanitize_part(-1) == "-1"


def test_paths_are_unique_under_many_concurrent_callers():
    def build(_):
        return relative_object_path(
            dag_id="d", run_id="r", task_id="t", map_index=-1, key="k", extension="json"
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        paths = list(pool.map(build, range(2000)))
    assert len(set(paths)) == 2000
