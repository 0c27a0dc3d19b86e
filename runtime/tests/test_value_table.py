"""Drop-in superset: every value kind, below and above the threshold, through both backends.

The stock ``XComObjectStorageBackend`` is the oracle: whatever it round-trips, this backend must
return with the same type and value. Where the stock backend refuses a value (arrays, objects with
``to_json_dict()``), this backend must return the value itself (its typed formats).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid
from collections import namedtuple

import numpy as np
import pandas as pd
import pydantic
import pytest

from airflow_xcomkit.reference import StoredXCom
from helpers import COORDS, pull, push

Row = namedtuple("Row", "value")
UTC = datetime.timezone.utc
BELOW, ABOVE = 10**9, 0


@dataclasses.dataclass
class Measurement:
    sensor: str
    value: float
    tags: list


class Order(pydantic.BaseModel):
    id: int
    items: list[str]


class ValidationResultLike:
    def to_json_dict(self):
        return {"success": True, "statistics": {"evaluated_expectations": 3}}


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(5, dtype="int64"),
            "x": np.linspace(0, 1, 5),
            "name": [f"n{i}" for i in range(5)],
            "at": pd.date_range("2024-01-01", periods=5, freq="h"),
        }
    )


def _deep(levels: int):
    value: object = {"leaf": True}
    for i in range(levels):
        value = {"level": i, "child": value} if i % 2 else [value]
    return value


KINDS = {
    "str": "héllo wörld ✓",
    "int": 12345678901234,
    "float": 3.25,
    "bool": True,
    "none": None,
    "json dict": {"rows": 3, "ok": [1, 2, {"a": None}]},
    "unicode keys": {"ключ": 1, "鍵": [2], "🔑": {"ß": 3}},
    "very deep nesting": _deep(150),
    "datetime tz-aware": datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
    "datetime naive": datetime.datetime(2024, 5, 6, 7, 8, 9),
    "date": datetime.date(2024, 2, 29),
    "timedelta": datetime.timedelta(days=2, seconds=5, microseconds=7),
    "set": {1, 2, 3},
    "frozenset": frozenset({"a", "b"}),
    "tuple": (1, "two", 3.0),
    "Decimal": decimal.Decimal("12345.678901234567890"),
    "UUID": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "numpy int64 scalar": np.int64(42),
    "numpy float32 scalar": np.float32(1.5),
    "list of datetimes": [datetime.datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2, 3)],
    "dict holding a DataFrame": {"frame": _frame(), "n": 5},
    "list of DataFrames": [_frame(), _frame().head(2)],
    "DataFrame": _frame(),
    "empty DataFrame": pd.DataFrame({"a": pd.Series([], dtype="int64")}),
    "DataFrame tz-aware column": pd.DataFrame(
        {"at": pd.date_range("2024-01-01", periods=3, tz="Europe/Oslo")}
    ),
    "DataFrame categorical column": pd.DataFrame({"c": pd.Categorical(["a", "b", "a"])}),
    "nested DataFrame in dict of lists": {"parts": [{"f": _frame().head(1)}]},
    "dataclass": Measurement("t1", 21.5, ["a", "b"]),
    "pydantic model": Order(id=7, items=["x", "y"]),
    "ndarray": np.arange(12, dtype="float64").reshape(3, 4),
    "0-d array": np.array(3.5),
    "structured array": np.array([(1, 2.0), (3, 4.0)], dtype=[("a", "i4"), ("b", "f8")]),
    "to_json_dict object": ValidationResultLike(),
}


def assert_same(got, want, where="value"):
    if isinstance(want, pd.DataFrame):
        assert isinstance(got, pd.DataFrame), f"{where}: {type(got)}"
        pd.testing.assert_frame_equal(got, want)
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: {type(got)}"
        assert got.dtype == want.dtype and got.shape == want.shape, where
        np.testing.assert_array_equal(got, want)
        return
    assert type(got) is type(want), f"{where}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for k in want:
            assert_same(got[k], want[k], f"{where}[{k!r}]")
    elif isinstance(want, list | tuple):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    else:
        assert got == want, where


@pytest.fixture
def stock(monkeypatch):
    from airflow.providers.common.io.xcom import backend as stock_module

    def clear():
        for fn in (stock_module._get_base_path, stock_module._get_threshold, stock_module._get_compression):
            fn.cache_clear()

    clear()
    yield stock_module.XComObjectStorageBackend
    clear()


def stock_round_trip(stock_backend, value):
    db_value = stock_backend.serialize_value(value, key="return_value", **COORDS)
    return stock_backend.deserialize_value(Row(db_value))


@pytest.mark.parametrize("threshold", [BELOW, ABOVE], ids=["below", "above"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_value_kind_round_trips_like_the_stock_backend(kind, threshold, configure, local_store, stock):
    value = KINDS[kind]
    configure(f"file://{local_store}", threshold=threshold)
    try:
        want = stock_round_trip(stock, value)
    except (TypeError, AttributeError, ValueError):
        # The stock backend refuses it: the superset returns the value itself.
        want = value.to_json_dict() if kind == "to_json_dict object" else value
    db_value = push(value)
    got = pull(db_value)
    assert_same(got, want)
    if threshold == ABOVE and not isinstance(value, np.ndarray | pd.DataFrame):
        assert StoredXCom.from_json(db_value) is not None, "above the threshold the value goes to storage"


def test_the_table_covers_at_least_25_value_kinds():
    assert len(KINDS) >= 25
