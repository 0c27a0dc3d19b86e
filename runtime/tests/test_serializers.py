import datetime

import numpy as np
import pandas as pd
import pytest

from airflow_xcomkit.serializers import SERIALIZERS, classify, json_problem


class ValidationResultLike:
    """Shaped like a Great Expectations validation result: it offers to_json_dict()."""

    def __init__(self, success: bool):
        self.success = success

    def to_json_dict(self):
        return {"success": self.success, "statistics": {"evaluated_expectations": 3}}


def test_values_are_routed_to_the_serializer_of_their_type():
    assert classify(pd.DataFrame({"a": [1]})) == ("pandas", None)
    assert classify(np.arange(3)) == ("numpy", None)
    assert classify(ValidationResultLike(True)) == ("json_dict", None)
    assert classify({"a": [1, 2.5, None, True, "x"]}) == ("json", None)


def test_object_arrays_are_refused_because_they_would_need_pickle():
    name, reason = classify(np.array([object()], dtype=object))
    assert name is None
    assert "pickle" in reason


def test_a_non_json_value_is_described_down_to_the_offending_part():
    assert "value['when'] is of type datetime.datetime" in json_problem({"when": datetime.datetime.now()})
    assert "key of type int" in json_problem({1: "a"})
    assert "non-finite" in json_problem([float("nan")])


def test_dataframes_round_trip_through_parquet_with_index_and_dtypes():
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=pd.Index([10, 20], name="id"))
    data = SERIALIZERS["pandas"].dumps(frame)
    assert data[:4] == b"PAR1"
    pd.testing.assert_frame_equal(SERIALIZERS["pandas"].loads(data), frame)


def test_arrays_round_trip_through_npy_without_pickle():
    array = np.arange(12, dtype="float32").reshape(3, 4)
    data = SERIALIZERS["numpy"].dumps(array)
    assert data[:6] == b"\x93NUMPY"
    back = SERIALIZERS["numpy"].loads(data)
    assert back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


def test_loading_an_npy_that_holds_pickled_objects_is_refused():
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle"):
        SERIALIZERS["numpy"].loads(buf.getvalue())


def test_json_values_round_trip_as_the_same_value():
    value = {"a": [1, 2.5, None, True, "é"], "nested": {"k": "v"}}
    assert SERIALIZERS["json"].loads(SERIALIZERS["json"].dumps(value)) == value
