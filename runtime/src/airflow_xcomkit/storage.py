"""Object bytes at one location, through the fsspec filesystem behind Airflow's ObjectStoragePath.

One request per write and per read of a value up to ``BLOCK_SIZE``: ``pipe_file`` is a single PUT on
S3, a single upload on GCS and Azure; ``cat_file`` with a byte range is a single ranged GET. A larger
value is streamed: written through the client's own file object in ``BLOCK_SIZE`` parts (an S3
multipart upload, a GCS resumable upload, Azure staged blocks) and read in ``BLOCK_SIZE`` ranges, so
neither side ever holds the whole object in one buffer. No existence probe, no bucket check, no
"directory" creation on object stores: the layout's random UUID already makes each key unique (and
the probes need extra permissions). Only ``file://`` gets its parent directories created.

Nothing partial is ever visible under an object's final name. ``file://`` writes to a hidden
temporary name in the same directory and renames it (atomic on POSIX). On the object stores an
upload becomes visible only when it completes; a stream that fails is abandoned explicitly
(``discard``: s3fs aborts the multipart upload, gcsfs cancels the resumable upload, Azure drops
uncommitted blocks by itself). That has to be explicit: the fsspec file objects commit whatever they
hold when closed, and their ``__exit__`` and ``__del__`` close them even after an exception.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

#: Bytes held before a write turns into a stream, and the size of each streamed part and read range:
#: boto3's own default multipart threshold and part size (S3 needs 5 MiB parts at least; GCS
#: multiples of 256 KiB). A value up to this size is one request; a larger one costs
#: 2 + ceil(size / BLOCK_SIZE) requests on S3 and holds a few blocks in memory, not the value.
BLOCK_SIZE = 8 * 2**20


def _path(url: str) -> Any:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(url)


def _fs_and_path(url: str) -> tuple[Any, str]:
    p = _path(url)
    return p.fs, p.path


def _is_local(url: str) -> bool:
    return url.startswith("file://")


def join(base_url: str, relative: str) -> str:
    """Join a base location and a relative object path, returning the full URL (with conn id)."""
    return str(_path(base_url).joinpath(*relative.split("/")))


def normalize(url: str) -> str:
    """The URL as ObjectStoragePath spells it (the form stored in references)."""
    return str(_path(url))


def _temporary_name(path: str) -> str:
    # Hidden, unique, in the same directory (so the rename is atomic); a leftover of a killed worker
    # is an unreferenced object under the prefix, which ``airflow-xcomkit gc`` removes.
    head, _, name = path.rpartition("/")
    return f"{head}/.{name}.{uuid.uuid4().hex[:12]}.partial"


def write_bytes(url: str, data: bytes) -> None:
    """Write a whole object in one request (on ``file://``: to a temporary name, then renamed)."""
    fs, path = _fs_and_path(url)
    if not _is_local(url):
        fs.pipe_file(path, data)
        return
    stream = ObjectStream(url)
    try:
        stream.write(data)
    except BaseException:
        stream.abandon()
        raise
    stream.commit()


class ObjectStream:
    """One object written in parts; visible under its name only after ``commit``.

    ``abandon`` leaves nothing behind (or, where the store allows nothing else, nothing visible).
    """

    def __init__(self, url: str):
        fs, path = _fs_and_path(url)
        self.url = url
        self._fs = fs
        self._final: str | None = None
        if _is_local(url):
            fs.makedirs(fs._parent(path), exist_ok=True)
            self._final = path
            path = _temporary_name(path)
            self._file = open(path, "wb")  # noqa: SIM115 - closed in commit/abandon
        else:
            self._file = fs.open(path, "wb", block_size=BLOCK_SIZE)
        self._path = path

    def write(self, data: Any) -> None:
        self._file.write(data)

    def commit(self) -> None:
        """Finish the upload explicitly, raising its error; on failure nothing is left behind."""
        try:
            self._file.close()  # the last part and the completion: any error is raised here
            if self._final is not None:
                os.replace(self._path, self._final)
        except BaseException:
            self.abandon()
            if self._final is None:
                with contextlib.suppress(Exception):
                    # A completion whose answer was lost may still have created the object.
                    self._fs.rm_file(self._path)
            raise

    def abandon(self) -> None:
        f = self._file
        if self._final is not None:
            with contextlib.suppress(Exception):
                f.close()
            with contextlib.suppress(FileNotFoundError):
                os.remove(self._path)
            return
        try:
            f.discard()  # s3fs: AbortMultipartUpload; gcsfs: cancel the resumable upload
        except Exception as err:
            log.warning(
                "Could not abort the upload of %s (%s: %s); the object is not visible, and the bucket's "
                "incomplete-upload lifecycle rule removes the parts.",
                self.url,
                type(err).__name__,
                err,
            )
        # Mark the upload finished without completing it, so neither close() nor the garbage
        # collector's __del__ uploads what the buffer holds.
        f.forced = True
        with contextlib.suppress(Exception):
            f.close()
        f.closed = True


#: Ranges of a large object in flight at once while the caller consumes the previous one.
READ_AHEAD = 2


def read_chunks(url: str, size: int) -> Iterator[bytes]:
    """The object's bytes in ranges of at most ``BLOCK_SIZE``, then up to one byte past ``size``.

    A value up to ``BLOCK_SIZE`` is one ranged GET. A larger one is fetched ``READ_AHEAD`` ranges
    at a time (memory: that many blocks), so the network and the caller's decoding overlap. The
    extra byte tells a grown object from an intact one without reading past it; a short range means
    the object shrank. FileNotFoundError if it is absent.
    """
    fs, path = _fs_and_path(url)
    end = size + 1
    ranges = [(start, min(start + BLOCK_SIZE, end)) for start in range(0, end, BLOCK_SIZE)]
    if len(ranges) == 1:
        yield fs.cat_file(path, start=0, end=end)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pending = iter(ranges)
    with ThreadPoolExecutor(max_workers=READ_AHEAD, thread_name_prefix="xcomkit-read") as pool:
        in_flight: deque = deque()
        try:
            for start, stop in itertools.islice(pending, READ_AHEAD):
                in_flight.append((stop - start, pool.submit(fs.cat_file, path, start=start, end=stop)))
            while in_flight:
                expected, future = in_flight.popleft()
                data = future.result()
                following = next(pending, None)
                if following is not None and len(data) == expected:
                    start, stop = following
                    in_flight.append((stop - start, pool.submit(fs.cat_file, path, start=start, end=stop)))
                if data:
                    yield data
                if len(data) < expected:
                    return
        finally:
            for _, future in in_flight:
                future.cancel()


def read_into(url: str, buffer: bytearray, on_piece: Any) -> int:
    """Fill ``buffer`` with the object's first bytes, calling ``on_piece`` with each filled view.

    Returns how many bytes the object had, counting up to one past ``len(buffer)`` (so a grown
    object shows as ``len(buffer) + 1``). ``file://`` reads straight into the buffer; the object
    stores copy each range in (``read_chunks``). FileNotFoundError if the object is absent.
    """
    size = len(buffer)
    view = memoryview(buffer)
    pos = 0
    try:
        if _is_local(url):
            with open(_fs_and_path(url)[1], "rb", buffering=0) as f:
                while pos < size:
                    n = f.readinto(view[pos : min(pos + BLOCK_SIZE, size)])
                    if not n:
                        return pos
                    on_piece(view[pos : pos + n])
                    pos += n
                return pos + (1 if f.read(1) else 0)
        for chunk in read_chunks(url, size):
            if pos + len(chunk) > size:
                keep = size - pos
                view[pos:size] = chunk[:keep]
                on_piece(view[pos:size])
                return size + 1
            view[pos : pos + len(chunk)] = chunk
            on_piece(view[pos : pos + len(chunk)])
            pos += len(chunk)
        return pos
    finally:
        view.release()


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
