"""Where an XCom object lives: ``<prefix>/<dag_id>/<run_id>/<task_id>/<map_index>/<key>-<unique>.<ext>``.

Every part is sanitized so that no value can climb out of the prefix or produce an empty segment:
characters outside ``[A-Za-z0-9._=-]`` become ``_``; a part that had to change, or was longer than
``MAX_PART_LENGTH``, gets the first 8 hex digits of the SHA-256 of the original appended, so two
different ids never share a folder; empty, ``.`` and ``..`` parts become ``_`` plus that hash.
``<unique>`` is a random UUID4 (122 random bits), so concurrent workers writing the same key never
collide, without a (permission-sensitive) existence check before each write.
"""

from __future__ import annotations

import hashlib
import re
import uuid

MAX_PART_LENGTH = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def sanitize_part(part: object) -> str:
    """Return a single safe path segment for ``part`` (never empty, never ``.`` or ``..``)."""
    text = "" if part is None else str(part)
    safe = _UNSAFE.sub("_", text)
    if safe.strip(".") == "":
        return f"_{_digest(text)}"
    if safe != text or len(safe) > MAX_PART_LENGTH:
        return f"{safe[:MAX_PART_LENGTH]}-{_digest(text)}"
    return safe


def relative_object_path(
    *,
    dag_id: str | None,
    run_id: str | None,
    task_id: str | None,
    map_index: int | None,
    key: str | None,
    extension: str,
    unique: str | None = None,
) -> str:
    """Build the object's path relative to the configured prefix (no leading slash)."""
    unique = unique or uuid.uuid4().hex
    parts = [
        sanitize_part(dag_id if dag_id is not None else "NO_DAG_ID"),
        sanitize_part(run_id if run_id is not None else "NO_RUN_ID"),
        sanitize_part(task_id if task_id is not None else "NO_TASK_ID"),
        sanitize_part(map_index if map_index is not None else -1),
        f"{sanitize_part(key if key is not None else 'NO_KEY')}-{unique}.{extension}",
    ]
    return "/".join(parts)
