"""The reference the metadata DB holds for a value written to object storage.

It is stored in Airflow's own serde envelope::

    {"__classname__": "airflow_xcomkit.reference.StoredXCom", "__version__": 1,
     "__data__": {"path": "s3://aws_xcoms@bucket/xcom/dag/run/task/-1/return_value-<uuid>.json",
                  "mirrors": ["gs://gcp_xcoms@bucket/xcom/dag/run/task/-1/return_value-<uuid>.json"],
                  "failed_mirrors": [], "sha256": "<hex of the stored bytes>", "size": 1234,
                  "serializer": "json", "compression": null}}

Why this cannot be confused with an ordinary value: Airflow's serializer refuses to store a plain
dict that has a ``__classname__`` key ("reserved key"), so a value that merely looks like a
reference can never reach the DB; the only way to produce this envelope is this backend.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CLASSNAME = "airflow_xcomkit.reference.StoredXCom"
VERSION = 1
_CLASSNAME_KEY = "__classname__"
_VERSION_KEY = "__version__"
_DATA_KEY = "__data__"


@dataclass(frozen=True)
class StoredXCom:
    """Where an XCom value was written and how to read it back."""

    path: str
    sha256: str
    size: int
    serializer: str
    compression: str | None = None
    mirrors: list[str] = field(default_factory=list)
    failed_mirrors: list[str] = field(default_factory=list)

    @property
    def locations(self) -> list[str]:
        """The primary location first, then every mirror that was written."""
        return [self.path, *self.mirrors]

    def to_json(self) -> dict[str, Any]:
        return {_CLASSNAME_KEY: CLASSNAME, _VERSION_KEY: VERSION, _DATA_KEY: asdict(self)}

    @classmethod
    def from_json(cls, value: Any) -> StoredXCom | None:
        """Return the reference held in a DB value, or None when the value is an ordinary value."""
        if not (isinstance(value, dict) and value.get(_CLASSNAME_KEY) == CLASSNAME):
            return None
        version = value.get(_VERSION_KEY)
        data = value.get(_DATA_KEY)
        if version != VERSION or not isinstance(data, dict):
            raise ValueError(
                f"XCom reference version {version!r} is not readable by this airflow-xcomkit "
                f"(reads version {VERSION}); upgrade airflow-xcomkit on this worker."
            )
        return cls(
            path=str(data["path"]),
            sha256=str(data["sha256"]),
            size=int(data["size"]),
            serializer=str(data["serializer"]),
            compression=data.get("compression") or None,
            mirrors=[str(m) for m in data.get("mirrors") or []],
            failed_mirrors=[str(m) for m in data.get("failed_mirrors") or []],
        )
