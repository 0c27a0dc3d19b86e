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


def _v2(**data):
    return {"__classname__": CLASSNAME, "__version__": 2, "__data__": data}


def test_a_version_2_reference_without_its_optional_fields_reads_their_defaults():
    ref = StoredXCom.from_json(_v2(path="p", digest="sha256:d", size=3, serializer="json", format="json"))
    assert ref == StoredXCom(path="p", digest="sha256:d", size=3, serializer="json", format="json")
    assert (ref.raw_size, ref.codec, ref.compression) == (None, None, None)
    assert (ref.mirrors, ref.failed_mirrors, ref.summary) == ([], [], {})


def test_a_version_2_reference_reads_every_field_under_its_own_name_and_type():
    ref = StoredXCom.from_json(
        _v2(
            path="s3://c@b/x",
            digest="hmac-sha256:d",
            size="12",
            serializer="pandas",
            format="parquet",
            raw_size="20",
            codec="parquet-zstd",
            compression="",
            mirrors=["gs://c@b/x"],
            failed_mirrors=["abfs://c@b/x"],
            summary={"rows": 3},
        )
    )
    assert ref.size == 12 and ref.raw_size == 20
    assert ref.codec == "parquet-zstd"
    assert ref.compression is None  # an empty codec name is no compression
    assert ref.mirrors == ["gs://c@b/x"] and ref.failed_mirrors == ["abfs://c@b/x"]
    assert ref.summary == {"rows": 3}
    assert ref.locations == ["s3://c@b/x", "gs://c@b/x"]
    assert (
        StoredXCom.from_json(
            _v2(path="p", digest="d", size=1, serializer="s", format="f", raw_size=None)
        ).raw_size
        is None
    )
    assert (
        StoredXCom.from_json(
            _v2(path="p", digest="d", size=1, serializer="s", format="f", compression="zstd")
        ).compression
        == "zstd"
    )


def test_a_version_1_reference_keeps_its_mirrors_and_compression():
    data = {
        "path": "p",
        "sha256": "s",
        "size": 5,
        "serializer": "json_dict",
        "compression": "gzip",
        "mirrors": ["m"],
        "failed_mirrors": ["f"],
    }
    ref = StoredXCom.from_json({"__classname__": CLASSNAME, "__version__": 1, "__data__": data})
    assert (ref.format, ref.compression, ref.mirrors, ref.failed_mirrors) == ("json", "gzip", ["m"], ["f"])
    assert [
        StoredXCom.from_json(
            {"__classname__": CLASSNAME, "__version__": 1, "__data__": {**data, "serializer": s}}
        ).format
        for s in ("pandas", "numpy", "json")
    ] == [
        "parquet",
        "npy",
        "json",
    ]


@pytest.mark.parametrize(
    ("version", "data", "error"),
    [
        (2, {"digest": "d", "size": 1, "serializer": "s", "format": "f"}, "KeyError"),
        (2, {"path": "p", "digest": "d", "size": "many", "serializer": "s", "format": "f"}, "ValueError"),
        (
            2,
            {"path": "p", "digest": "d", "size": 1, "serializer": "s", "format": "f", "raw_size": []},
            "TypeError",
        ),
        (1, {"path": "p", "sha256": "s", "size": 1, "serializer": "pickle"}, "KeyError"),
        (1, {"path": "p", "size": 1, "serializer": "json"}, "KeyError"),
    ],
)
def test_a_malformed_reference_raises_a_value_error_naming_the_problem(version, data, error):
    with pytest.raises(ValueError, match=rf"^XCom reference is malformed \({error}: "):
        StoredXCom.from_json({"__classname__": CLASSNAME, "__version__": version, "__data__": data})


@pytest.mark.parametrize("part", ["X", "XX", "X.X", "x.", "X=1"])
def test_ids_made_of_letters_and_dots_are_kept_verbatim(part):
    # Only an id that is nothing but dots (or empty) is replaced by its hash.
    assert sanitize_part(part) == part


def test_a_reference_cannot_be_changed_after_it_is_read():
    import dataclasses

    ref = full_reference()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.path = "file:///elsewhere"  # type: ignore[misc]
