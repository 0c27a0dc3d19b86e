"""Exact outputs of the object layout and the stored reference (pinned values, not properties)."""

from __future__ import annotations

import hashlib

import pytest

from airflow_xcomkit.layout import MAX_PART_LENGTH, relative_object_path, sanitize_part
from airflow_xcomkit.reference import CLASSNAME, VERSION, StoredXCom


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("abc", "abc"),
        ("a.b_c=d-e", "a.b_c=d-e"),
        ("a b", f"a_b-{digest('a b')}"),
        ("x/y", f"x_y-{digest('x/y')}"),
        ("..", f"_{digest('..')}"),
        ("...", f"_{digest('...')}"),
        ("", f"_{digest('')}"),
        (None, f"_{digest('')}"),
        (7, "7"),
        (-1, "-1"),
        ("a" * MAX_PART_LENGTH, "a" * MAX_PART_LENGTH),
        ("a" * (MAX_PART_LENGTH + 1), f"{'a' * MAX_PART_LENGTH}-{digest('a' * (MAX_PART_LENGTH + 1))}"),
    ],
)
def test_sanitize_part_gives_exactly(part, expected):
    assert sanitize_part(part) == expected


def test_max_part_length_is_100():
    assert MAX_PART_LENGTH == 100


def test_relative_object_path_is_exactly_dag_run_task_map_index_key_unique_extension():
    path = relative_object_path(
        dag_id="d", run_id="r", task_id="t", map_index=3, key="k", extension="json", unique="u1"
    )
    assert path == "d/r/t/3/k-u1.json"


def test_missing_ids_get_their_fixed_names():
    path = relative_object_path(
        dag_id=None, run_id=None, task_id=None, map_index=None, key=None, extension="npy", unique="u"
    )
    assert path == "NO_DAG_ID/NO_RUN_ID/NO_TASK_ID/-1/NO_KEY-u.npy"


def test_a_generated_unique_part_is_a_uuid4_hex():
    path = relative_object_path(dag_id="d", run_id="r", task_id="t", map_index=0, key="k", extension="json")
    unique = path.rsplit("/", 1)[1][len("k-") : -len(".json")]
    assert len(unique) == 32 and int(unique, 16) >= 0


def full_reference() -> StoredXCom:
    return StoredXCom(
        path="file:///p/a.json",
        digest="hmac-sha256:" + "ab" * 32,
        size=12,
        serializer="json",
        format="json",
        raw_size=20,
        codec=None,
        compression="gzip",
        mirrors=["file:///m/a.json"],
        failed_mirrors=["file:///f/a.json"],
        summary={"type": "dict", "size": 20},
    )


def test_reference_json_is_exactly_the_serde_envelope():
    assert full_reference().to_json() == {
        "__classname__": "airflow_xcomkit.reference.StoredXCom",
        "__version__": 2,
        "__data__": {
            "summary": {"type": "dict", "size": 20},
            "path": "file:///p/a.json",
            "digest": "hmac-sha256:" + "ab" * 32,
            "size": 12,
            "serializer": "json",
            "format": "json",
            "raw_size": 20,
            "codec": None,
            "compression": "gzip",
            "mirrors": ["file:///m/a.json"],
            "failed_mirrors": ["file:///f/a.json"],
        },
    }
    # The summary comes first: the XCom tab renders the fields in this order.
    assert next(iter(full_reference().to_json()["__data__"])) == "summary"
    assert (CLASSNAME, VERSION) == ("airflow_xcomkit.reference.StoredXCom", 2)


def test_reference_round_trips_every_field():
    ref = full_reference()
    assert StoredXCom.from_json(ref.to_json()) == ref
    assert ref.locations == ["file:///p/a.json", "file:///m/a.json"]


def test_version_1_references_are_read_with_their_defaults():
    data = {"path": "p", "sha256": "s", "size": "5", "serializer": "pandas"}
    ref = StoredXCom.from_json({"__classname__": CLASSNAME, "__version__": 1, "__data__": data})
    assert ref == StoredXCom(path="p", digest="sha256:s", size=5, serializer="pandas", format="parquet")
    assert (
        StoredXCom.from_json(
            {"__classname__": CLASSNAME, "__version__": 1, "__data__": {**data, "compression": ""}}
        ).compression
        is None
    )


@pytest.mark.parametrize(
    "value",
    [{"a": 1}, [CLASSNAME], "x", None, {"__classname__": "other.Class", "__version__": 1, "__data__": {}}],
)
def test_ordinary_values_are_not_references(value):
    assert StoredXCom.from_json(value) is None


@pytest.mark.parametrize(
    "value",
    [
        {"__classname__": CLASSNAME, "__version__": 3, "__data__": {}},
        {"__classname__": CLASSNAME, "__data__": {}},
        {"__classname__": CLASSNAME, "__version__": 2, "__data__": "not a dict"},
    ],
)
def test_unreadable_references_raise_with_the_version(value):
    with pytest.raises(
        ValueError,
        match=r"XCom reference version .* is not readable by this airflow-xcomkit \(reads versions 1 and 2\)",
    ):
        StoredXCom.from_json(value)
