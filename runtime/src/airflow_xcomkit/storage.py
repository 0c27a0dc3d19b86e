"""Reading, writing and deleting object bytes at one location, through Airflow's ObjectStoragePath.

Compression happens in memory, so what is written is exactly the bytes whose hash the reference
records, and a read can tell an unreachable location (an I/O error) from a damaged object (bytes
that do not match the hash or do not decompress).
"""

from __future__ import annotations

import hashlib
import io
import logging
from typing import Any

log = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compress(payload: bytes, compression: str | None) -> bytes:
    if not compression:
        return payload
    from fsspec.compression import compr

    buf = io.BytesIO()
    with compr[compression](buf, mode="wb") as f:
        f.write(payload)
    return buf.getvalue()


def decompress(data: bytes, compression: str | None) -> bytes:
    if not compression:
        return data
    from fsspec.compression import compr

    with compr[compression](io.BytesIO(data), mode="rb") as f:
        return f.read()


def _path(url: str) -> Any:
    from airflow_xcomkit._compat import object_storage_path

    return object_storage_path(url)


def join(base_url: str, relative: str) -> str:
    """Join a base location and a relative object path, returning the full URL (with conn id)."""
    return str(_path(base_url).joinpath(*relative.split("/")))


def write_bytes(url: str, data: bytes) -> None:
    path = _path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode="wb") as f:
        f.write(data)


def read_bytes(url: str) -> bytes:
    with _path(url).open(mode="rb") as f:
        return f.read()


def delete(url: str) -> None:
    _path(url).unlink(missing_ok=True)


def normalize(url: str) -> str:
    """The URL as ObjectStoragePath spells it (the form stored in references)."""
    return str(_path(url))


def is_under(url: str, base_url: str) -> bool:
    """True if ``url`` names an object below ``base_url`` (same scheme, connection and bucket)."""
    base = base_url.rstrip("/") + "/"
    return url.startswith(base) and "/../" not in url[len(base) - 1 :] and not url.endswith("/..")
