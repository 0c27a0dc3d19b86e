"""Typed serializers for values written to object storage. None of them uses pickle.

=========  ==========================================  =========  =============================
name       accepts                                     extension  comes back as
=========  ==========================================  =========  =============================
pandas     ``pandas.DataFrame``                         parquet    ``pandas.DataFrame`` (pyarrow)
numpy      ``numpy.ndarray`` (no object dtype)          npy        ``numpy.ndarray``
json_dict  any object with a ``to_json_dict()`` method  json       the ``dict`` it returned
json       JSON-native values (dict/list/str/...)       json       the same JSON value
=========  ==========================================  =========  =============================

pandas and numpy are imported only when a value of their type is seen or read back.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Serializer:
    name: str
    extension: str
    dumps: Callable[[Any], bytes]
    loads: Callable[[bytes], Any]


def _is_instance_of(value: Any, module: str, attr: str) -> bool:
    # Check through sys.modules: a value of that type exists only if its library was imported.
    mod = sys.modules.get(module)
    cls = getattr(mod, attr, None) if mod is not None else None
    return cls is not None and isinstance(value, cls)


def json_problem(value: Any, where: str = "value", depth: int = 0) -> str | None:
    """Describe the first part of ``value`` that is not JSON-native, or return None if it all is."""
    if depth > 200:
        return f"{where} is nested deeper than 200 levels"
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is the non-finite float {value!r}"
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if problem := json_problem(item, f"{where}[{i}]", depth + 1):
                return problem
        return None
    if isinstance(value, dict):
        for k, item in value.items():
            if not isinstance(k, str):
                return f"{where} has a key of type {type(k).__qualname__} ({k!r}); JSON keys are strings"
            if problem := json_problem(item, f"{where}[{k!r}]", depth + 1):
                return problem
        return None
    return f"{where} is of type {type(value).__module__}.{type(value).__qualname__}"


def _json_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _json_loads(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))


def _pandas_dumps(frame: Any) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, engine="pyarrow")
    return buf.getvalue()


def _pandas_loads(data: bytes) -> Any:
    import pandas as pd

    return pd.read_parquet(io.BytesIO(data), engine="pyarrow")


def _numpy_dumps(array: Any) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _numpy_loads(data: bytes) -> Any:
    import numpy as np

    return np.load(io.BytesIO(data), allow_pickle=False)


def _json_dict_dumps(value: Any) -> bytes:
    return _json_dumps(to_json_dict(value))


def to_json_dict(value: Any) -> dict:
    """Call ``value.to_json_dict()`` and check that the result is a JSON-native dict."""
    result = value.to_json_dict()
    if not isinstance(result, dict):
        raise TypeError(
            f"{type(value).__qualname__}.to_json_dict() returned {type(result).__qualname__}, not a dict"
        )
    if problem := json_problem(result, "to_json_dict()"):
        raise TypeError(f"{type(value).__qualname__}.to_json_dict() is not JSON-native: {problem}")
    return result


SERIALIZERS: dict[str, Serializer] = {
    "pandas": Serializer("pandas", "parquet", _pandas_dumps, _pandas_loads),
    "numpy": Serializer("numpy", "npy", _numpy_dumps, _numpy_loads),
    "json_dict": Serializer("json_dict", "json", _json_dict_dumps, _json_loads),
    "json": Serializer("json", "json", _json_dumps, _json_loads),
}


def classify(value: Any) -> tuple[str | None, str | None]:
    """Return ``(serializer name, None)`` for a value, or ``(None, reason)`` when none accepts it."""
    if _is_instance_of(value, "pandas", "DataFrame"):
        return "pandas", None
    if _is_instance_of(value, "numpy", "ndarray"):
        if value.dtype.hasobject:
            return None, f"numpy array of dtype {value.dtype} holds Python objects (would need pickle)"
        return "numpy", None
    if callable(getattr(value, "to_json_dict", None)) and not isinstance(value, type):
        return "json_dict", None
    problem = json_problem(value)
    if problem is None:
        return "json", None
    return None, problem
