"""The write target a serializer streams a value into: digested, counted, bounded, fanned out.

Parquet (pyarrow), ``.npy`` (numpy) and JSON (in chunks, through the codec) are written straight into
an ``ObjectSink``. It digests and counts every byte as it arrives and keeps the bytes in memory until
there are more than ``hold`` of them (at least ``storage.BLOCK_SIZE``; more when the threshold is
larger, since a DataFrame's Parquet size decides whether it goes to the DB at all). A value that ends
within that is written with one request per location, exactly as before streaming. Past it, every
location (primary and mirrors) is opened as a stream and gets the bytes in ``BLOCK_SIZE`` blocks,
concurrently, so memory holds a few blocks, never the whole value.

Past ``max_size`` the sink abandons every stream at once (nothing remains at any location) and
only counts the rest, so the error can give the full size. A failed primary stream aborts the
value; a failed mirror is dropped and reported.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from airflow_xcomkit.storage import BLOCK_SIZE, ObjectStream, write_bytes


class ObjectSink(io.RawIOBase):
    def __init__(self, urls: list[str], digest: Any, *, max_size: int | None = None, hold: int = 0):
        super().__init__()
        self.urls = urls
        self.size = 0
        self.over_limit = False
        self._digest = digest
        self._max_size = max_size
        self._hold = max(hold, BLOCK_SIZE)
        self._block = bytearray()
        self._streams: list[ObjectStream | None] | None = None
        self.errors: list[BaseException | None] = [None] * len(urls)
        self._pool = (
            ThreadPoolExecutor(max_workers=len(urls), thread_name_prefix="xcomkit-write")
            if len(urls) > 1
            else None
        )

    # --- the file-like side the serializers see -------------------------------------------------

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.size

    def write(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        n = view.nbytes
        self.size += n
        if self.over_limit:
            return n
        if self._max_size is not None and self.size > self._max_size:
            self.over_limit = True
            self.abandon()
            return n
        self._digest.update(view)
        self._block += view
        if self._streams is None:
            if len(self._block) > self._hold:
                self._open()
                self._drain(final=False)
        elif len(self._block) >= BLOCK_SIZE:
            self._drain(final=False)
        return n

    # --- the backend's side -------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        """True once the value outgrew ``hold`` and the locations were opened as streams."""
        return self._streams is not None

    def hexdigest(self) -> str:
        return self._digest.hexdigest()

    def finish(self) -> list[BaseException | None]:
        """Write or complete the object at every location; one result (None or the error) per URL."""
        try:
            if self._streams is None:
                data = bytes(self._block)
                self._block = bytearray()
                self._each(lambda i: write_bytes(self.urls[i], data))
            else:
                self._drain(final=True)
                self._each(lambda i: self._commit(i))
            return list(self.errors)
        except BaseException:
            self.abandon()  # interrupted: whatever is not completed yet is aborted
            raise
        finally:
            self._shutdown()

    def abandon(self) -> None:
        """Drop the value: abort every open stream, so nothing is left at any location."""
        if self._streams is not None:
            streams = self._streams
            self._streams = [None] * len(self.urls)
            for stream in streams:
                if stream is not None:
                    stream.abandon()
        self._block = bytearray()
        self._shutdown()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # --- internals ----------------------------------------------------------------------------------

    def _each(self, work: Any) -> None:
        """Run ``work(i)`` for every location still in play, concurrently; errors go to ``errors``."""

        def one(i: int) -> None:
            if self.errors[i] is not None:
                return
            try:
                work(i)
            except Exception as err:
                self.errors[i] = err
                stream = self._streams[i] if self._streams else None
                if stream is not None:
                    self._streams[i] = None
                    stream.abandon()

        indexes = range(len(self.urls))
        if self._pool is None:
            for i in indexes:
                one(i)
        else:
            list(self._pool.map(one, indexes))

    def _open(self) -> None:
        self._streams = [None] * len(self.urls)

        def open_one(i: int) -> None:
            self._streams[i] = ObjectStream(self.urls[i])

        self._each(open_one)
        self._raise_if_primary_failed()

    def _drain(self, final: bool) -> None:
        view = memoryview(self._block)
        full = len(view) if final else len(view) - len(view) % BLOCK_SIZE
        for start in range(0, full, BLOCK_SIZE):
            part = view[start : start + BLOCK_SIZE]
            self._each(lambda i, part=part: self._streams[i].write(part))
            self._raise_if_primary_failed()
        rest = bytes(view[full:])
        view.release()
        self._block = bytearray(rest)

    def _commit(self, i: int) -> None:
        stream = self._streams[i]
        self._streams[i] = None
        stream.commit()

    def _raise_if_primary_failed(self) -> None:
        if self.errors[0] is not None:
            self.abandon()
            raise self.errors[0]
