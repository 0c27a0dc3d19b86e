"""Small helpers shared by the backend tests."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from airflow_xcomkit.backend import XComKitBackend
from airflow_xcomkit.reference import StoredXCom

# Airflow 3 hands deserialize_value/purge an object whose .value is the JSON held in the DB.
Row = namedtuple("Row", "value")

COORDS = {
    "dag_id": "etl",
    "run_id": "manual__2024-01-01T00:00:00+00:00",
    "task_id": "extract",
    "map_index": -1,
}


def push(value: Any, key: str = "return_value", **coords: Any) -> Any:
    """Serialize like a task pushing an XCom; returns what Airflow would store in the DB."""
    return XComKitBackend.serialize_value(value, key=key, **{**COORDS, **coords})


def pull(db_value: Any) -> Any:
    return XComKitBackend.deserialize_value(Row(db_value))


def reference(db_value: Any) -> StoredXCom:
    ref = StoredXCom.from_json(db_value)
    assert ref is not None, f"expected a reference, got {db_value!r}"
    return ref


def local_file(url: str) -> str:
    """The local filesystem path of a file:// URL."""
    assert url.startswith("file://"), url
    return url.removeprefix("file://")
