"""The reference the metadata DB holds for a value written to object storage.

It is stored in Airflow's own serde envelope::

    {"__classname__": "airflow_xcomkit.reference.StoredXCom", "__version__": 2,
     "__data__": {"path": "s3://aws_xcoms@bucket/xcom/dag/run/task/-1/return_value-<uuid>.parquet",
                  "mirrors": ["gs://gcp_xcoms@bucket/xcom/dag/run/task/-1/return_value-<uuid>.parquet"],
                  "failed_mirrors": [],
                  "digest": "hmac-sha256:<hex>", "size": 1234, "raw_size": 1234,
                  "serializer": "pandas", "format": "parquet", "codec": "parquet-zstd",
                  "compression": null,
                  "summary": {"type": "pandas.DataFrame", "rows": 3, "columns": {"a": "int64"}}}}

``codec`` is the compression inside the format (Parquet's own zstd, or none); ``compression`` is the
``[common.io]`` fsspec codec applied around the bytes, which only JSON and serde payloads get.
``size`` is the stored size, ``raw_size`` the size before ``compression`` (the bound for reading it
back). ``digest`` covers the stored bytes: an HMAC-SHA256 keyed with ``[xcomkit] integrity_key``, or a
plain SHA-256 when no key is configured.

Why this cannot be confused with an ordinary value: Airflow's serializer refuses to store a plain
dict that has a ``__classname__`` key ("reserved key"), so a value that merely looks like a
reference can never reach the DB; the only way to produce this envelope is this backend. Version 1
references (written by airflow-xcomkit 0.1) are still read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CLASSNAME = "airflow_xcomkit.reference.StoredXCom"
VERSION = 2
_CLASSNAME_KEY = "__classname__"
_VERSION_KEY = "__version__"
_DATA_KEY = "__data__"

#: Formats and the ``[xcomkit] allowed_types`` name a reader needs for them.
FORMAT_SERIALIZERS = {"parquet": "pandas", "npy": "numpy", "json": "json", "serde": "serde"}

# Version 1 named the format by serializer and recorded an unkeyed SHA-256.
_V1_FORMATS = {"pandas": "parquet", "numpy": "npy", "json": "json", "json_dict": "json"}


@dataclass(frozen=True)
class StoredXCom:
    """Where an XCom value was written and how to read it back."""

    path: str
    digest: str
    size: int
    serializer: str
    format: str
    raw_size: int | None = None
    codec: str | None = None
    compression: str | None = None
    mirrors: list[str] = field(default_factory=list)
    failed_mirrors: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def locations(self) -> list[str]:
        """The primary location first, then every mirror that was written."""
        return [self.path, *self.mirrors]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        # The summary first: the XCom tab and the REST API render the fields in this order.
        data = {"summary": data.pop("summary"), **data}
        return {_CLASSNAME_KEY: CLASSNAME, _VERSION_KEY: VERSION, _DATA_KEY: data}

    @classmethod
    def from_json(cls, value: Any) -> StoredXCom | None:
        """Return the reference held in a DB value, or None when the value is an ordinary value."""
        if not (isinstance(value, dict) and value.get(_CLASSNAME_KEY) == CLASSNAME):
            return None
        version = value.get(_VERSION_KEY)
        data = value.get(_DATA_KEY)
        if version not in (1, VERSION) or not isinstance(data, dict):
            raise ValueError(
                f"XCom reference version {version!r} is not readable by this airflow-xcomkit "
                f"(reads versions 1 and {VERSION}); upgrade airflow-xcomkit on this worker."
            )
        try:
            if version == 1:
                return cls(
                    path=str(data["path"]),
                    digest=f"sha256:{data['sha256']}",
                    size=int(data["size"]),
                    serializer=str(data["serializer"]),
                    format=_V1_FORMATS[str(data["serializer"])],
                    compression=data.get("compression") or None,
                    mirrors=[str(m) for m in data.get("mirrors") or []],
                    failed_mirrors=[str(m) for m in data.get("failed_mirrors") or []],
                )
            raw_size = data.get("raw_size")
            return cls(
                path=str(data["path"]),
                digest=str(data["digest"]),
                size=int(data["size"]),
                serializer=str(data["serializer"]),
                format=str(data["format"]),
                raw_size=None if raw_size is None else int(raw_size),
                codec=data.get("codec") or None,
                compression=data.get("compression") or None,
                mirrors=[str(m) for m in data.get("mirrors") or []],
                failed_mirrors=[str(m) for m in data.get("failed_mirrors") or []],
                summary=dict(data.get("summary") or {}),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"XCom reference is malformed ({type(err).__name__}: {err})") from None
