"""Every difference between Airflow 2.10 and Airflow 3.x lives here, behind one flag.

Nothing in this module imports a provider or a hook: importing an XCom backend happens early in
Airflow's start-up, and provider imports at that point are a known source of import cycles.
"""

from __future__ import annotations

from typing import Any


def _airflow_major() -> int:
    from airflow import __version__

    return int(__version__.split(".", 1)[0])


AIRFLOW_V_3_PLUS: bool = _airflow_major() >= 3

if AIRFLOW_V_3_PLUS:
    from airflow.sdk.bases.xcom import BaseXCom
    from airflow.sdk.configuration import conf
else:  # Airflow 2.10
    from airflow.configuration import conf  # type: ignore[no-redef]
    from airflow.models.xcom import BaseXCom  # type: ignore[no-redef]


def object_storage_path(url: str) -> Any:
    """Return Airflow's ObjectStoragePath for ``url`` (imported on use: it loads fsspec registries)."""
    if AIRFLOW_V_3_PLUS:
        from airflow.sdk import ObjectStoragePath
    else:
        from airflow.io.path import ObjectStoragePath  # type: ignore[no-redef]
    return ObjectStoragePath(url)


__all__ = [
    "AIRFLOW_V_3_PLUS",
    "BaseXCom",
    "conf",
    "decode_db_value",
    "object_storage_path",
    "raw_db_value",
    "stock_db_value",
    "to_db_value",
]


def to_db_value(json_ready: Any) -> Any:
    """Turn a JSON-ready structure into what ``serialize_value`` returns on this Airflow version.

    Airflow 3 stores the returned structure in a JSON column; Airflow 2.10 expects bytes of JSON.
    """
    if AIRFLOW_V_3_PLUS:
        return json_ready
    import json

    return json.dumps(json_ready).encode("utf-8")


def stock_db_value(value: Any) -> Any:
    """Serialize a value for the metadata DB exactly as the stock object-storage backend does."""
    if AIRFLOW_V_3_PLUS:
        return BaseXCom.serialize_value(value)
    import json

    from airflow.utils.json import XComEncoder

    return json.dumps(value, cls=XComEncoder).encode("utf-8")


def raw_db_value(result: Any) -> Any:
    """Return the JSON structure held in the metadata DB for an XCom row, without decoding objects."""
    value = result.value
    if AIRFLOW_V_3_PLUS:
        return value
    import json

    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def decode_db_value(result: Any) -> Any:
    """Decode a value that was stored in the DB itself, exactly as the stock backend does."""
    if AIRFLOW_V_3_PLUS:
        return BaseXCom.deserialize_value(result)
    import contextlib
    import json

    from airflow.utils.json import XComDecoder

    data = BaseXCom.deserialize_value(result)
    with contextlib.suppress(TypeError, ValueError):
        data = json.loads(data, cls=XComDecoder)
    return data
