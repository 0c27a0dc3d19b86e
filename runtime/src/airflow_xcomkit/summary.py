"""A compact, bounded description of a stored value, kept in the DB row next to the reference.

The UI and the REST API show the raw row, so this is what a user sees in the XCom tab instead of the
value: its type and size, a DataFrame's row count and columns with dtypes, an array's shape and
dtype, a container's length. Never any of the value's content beyond column names.
"""

from __future__ import annotations

from typing import Any

from airflow_xcomkit.formats import is_instance_of

MAX_COLUMNS = 50
MAX_NAME = 64


def _type_name(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")


def _short(text: Any) -> str:
    # Head and tail: long column names often differ only at the end (``metric_..._2024``).
    text = str(text)
    return text if len(text) <= MAX_NAME else f"{text[: MAX_NAME - 21]}…{text[-20:]}"


def summarize(value: Any, raw_size: int) -> dict[str, Any]:
    summary: dict[str, Any] = {"type": _type_name(value), "bytes": raw_size}
    if is_instance_of(value, "pandas", "DataFrame"):
        summary["rows"] = len(value)
        columns = {_short(name): _short(dtype) for name, dtype in list(value.dtypes.items())[:MAX_COLUMNS]}
        summary["columns"] = columns
        if value.shape[1] > MAX_COLUMNS:
            summary["columns_omitted"] = value.shape[1] - MAX_COLUMNS
    elif is_instance_of(value, "numpy", "ndarray"):
        summary["shape"] = list(value.shape)
        summary["dtype"] = _short(value.dtype)
    elif isinstance(value, dict | list | tuple | set | frozenset):
        summary["length"] = len(value)
    return summary
