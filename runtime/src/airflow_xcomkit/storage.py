"""Object bytes at one location, through the fsspec filesystem behind Airflow's ObjectStoragePath.

One request per write and per read where the client allows it: ``pipe_file`` is a single PUT on S3
(multipart above s3fs' 50 MiB chunk size), a single upload on GCS and Azure; ``cat_file`` with a byte
range is a single ranged GET. No existence probe, no bucket check, no "directory" creation on object
stores: the layout's random UUID already makes each key unique (and the probes need extra
permissions). Only ``file://`` gets its parent directories created.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)


def _path(url: str) -> Any:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(url)


def _fs_and_path(url: str) -> tuple[Any, str]:
    p = _path(url)
    return p.fs, p.path


def join(base_url: str, relative: str) -> str:
    """Join a base location and a relative object path, returning the full URL (with conn id)."""
    return str(_path(base_url).joinpath(*relative.split("/")))


def normalize(url: str) -> str:
    """The URL as ObjectStoragePath spells it (the form stored in references)."""
    return str(_path(url))


def write_bytes(url: str, data: bytes) -> None:
    fs, path = _fs_and_path(url)
    if url.startswith("file://"):
        fs.makedirs(fs._parent(path), exist_ok=True)
    fs.pipe_file(path, data)


def read_bytes(url: str, limit: int) -> bytes:
    """Read at most ``limit`` bytes of the object (one ranged GET); FileNotFoundError if absent."""
    fs, path = _fs_and_path(url)
    return fs.cat_file(path, start=0, end=limit)


def delete(url: str) -> None:
    fs, path = _fs_and_path(url)
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(path)


def is_under(url: str, base_url: str) -> bool:
    """True if ``url`` names an object strictly below ``base_url`` (same scheme, connection, bucket).

    No segment may be empty, ``.`` or ``..`` and no backslash or percent-escape may appear, so a
    forged reference cannot climb out of the base by any spelling the filesystems would resolve.
    """
    base = base_url.rstrip("/") + "/"
    if not url.startswith(base):
        return False
    rest = url[len(base) :]
    if not rest or "\\" in rest or "%" in rest or "\x00" in rest:
        return False
    return all(part not in ("", ".", "..") for part in rest.split("/"))


def list_objects(base_url: str) -> list[dict[str, Any]]:
    """Every object below ``base_url``: dicts with ``url``, ``size`` and ``mtime`` (epoch seconds or None)."""
    base = _path(base_url)
    fs, root = base.fs, base.path
    try:
        found = fs.find(root, detail=True)
    except FileNotFoundError:
        return []
    prefix = str(base).rstrip("/")
    objects = []
    for name, info in found.items():
        if info.get("type") == "directory":
            continue
        relative = name[len(root.rstrip("/")) :].lstrip("/") if name.startswith(root.rstrip("/")) else None
        if not relative:
            continue
        objects.append(
            {"url": f"{prefix}/{relative}", "size": int(info.get("size") or 0), "mtime": _mtime(info)}
        )
    return objects


def _mtime(info: dict[str, Any]) -> float | None:
    import datetime

    for field in ("LastModified", "last_modified", "updated", "mtime", "created"):
        value = info.get(field)
        if value is None:
            continue
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=datetime.timezone.utc)
            return value.timestamp()
        if isinstance(value, str):
            try:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.timezone.utc)
            return parsed.timestamp()
    return None
