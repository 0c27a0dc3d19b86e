"""Stored formats. None of them uses pickle.

=======  ==============================================  =========  ====================================
format   written for                                      extension  codec
=======  ==============================================  =========  ====================================
parquet  ``pandas.DataFrame`` (serializer ``pandas``)     parquet    Parquet's own zstd, never recompressed
npy      ``numpy.ndarray`` without object dtype (numpy)   npy        none, never recompressed
json     JSON-native values, ``to_json_dict()`` objects   json       the ``[common.io]`` compression
serde    anything else Airflow's serde round-trips        json       the ``[common.io]`` compression
=======  ==============================================  =========  ====================================

``json`` and ``serde`` are one encoding, byte for byte the stock backend's: ``json.dumps(value,
cls=XComEncoder)``, where serde only handles the parts JSON cannot hold. The format name records
whether such parts exist, so a reader knows when it needs serde's decoder (and the ``serde`` entry of
``[xcomkit] allowed_types``). pandas, numpy and pyarrow are imported only for values of their types.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from airflow_xcomkit.errors import XComIntegrityError

PARQUET_CODEC = "zstd"
#: fsspec's gzip writes at level 9; zlib's default level 6 is about 3x faster on JSON for ~2 % more
#: bytes, and every gzip reader (the stock backend's too) reads it.
GZIP_LEVEL = 6

#: Markers that only serde's encoder writes as JSON object keys; absent, plain ``json.loads`` gives
#: the same result as Airflow's ``XComDecoder``, without a Python call per object.
_SERDE_MARKERS = (b'"__classname__"', b'"__type"')


def is_instance_of(value: Any, module: str, attr: str) -> bool:
    # Check through sys.modules: a value of that type exists only if its library was imported.
    mod = sys.modules.get(module)
    cls = getattr(mod, attr, None) if mod is not None else None
    return cls is not None and isinstance(value, cls)


#: JSON text is encoded and written in pieces of this many characters: never a second full copy.
TEXT_CHUNK = 2**20


def encode_json(value: Any) -> str:
    """The stock backend's encoding, exactly: the text it would write (as UTF-8) and size."""
    from airflow.utils.json import XComEncoder

    return json.dumps(value, cls=XComEncoder)


def text_size(text: str) -> int:
    """The UTF-8 size of ``text`` (the stock threshold's measure), without encoding it when ASCII."""
    # json.dumps escapes everything outside ASCII by default; isascii() is a flag check in CPython.
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def json_format(payload: bytes | str) -> str:
    if isinstance(payload, str):
        return "serde" if any(m.decode() in payload for m in _SERDE_MARKERS) else "json"
    return "serde" if any(marker in payload for marker in _SERDE_MARKERS) else "json"


def write_text(text: str, compression: str | None, sink: Any) -> None:
    """Write ``text`` as UTF-8 through the codec into ``sink``, a piece at a time."""

    def pieces(out: Any) -> None:
        for start in range(0, len(text), TEXT_CHUNK):
            out.write(text[start : start + TEXT_CHUNK].encode("utf-8"))

    if not compression:
        pieces(sink)
        return
    if compression == "gzip":
        import gzip

        with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as f:
            pieces(f)
        return
    from fsspec.compression import compr

    with compr[compression](sink, mode="wb") as f:
        pieces(f)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # Parsing creates millions of containers and no cycles; the cyclic collector would walk all of
    # them again and again while they are created (about half the parse time of a 50 MB value).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_json(payload: bytes | bytearray, fmt: str) -> Any:
    """Parse the stored JSON; a ``bytearray`` payload is emptied once it is decoded to text.

    ``json.loads`` decodes bytes to a str before parsing, so given bytes it holds both while the
    value is built. Decoding here and freeing the bytes first keeps the text and the value only.
    """
    serde = fmt != "json" and any(marker in payload for marker in _SERDE_MARKERS)
    # The decoding json.loads itself applies to bytes (the stock backend hands it bytes).
    texts = [payload.decode(json.detect_encoding(payload), "surrogatepass")]
    if isinstance(payload, bytearray):
        with contextlib.suppress(BufferError):
            payload.clear()
    del payload
    with _no_cyclic_gc():
        if not serde:
            return json.loads(texts.pop())
        from airflow.utils.json import XComDecoder

        return json.loads(texts.pop(), cls=XComDecoder)


def write_parquet(frame: Any, sink: Any) -> int:
    """Stream ``frame`` as Parquet into ``sink``; returns the uncompressed size its metadata declares."""
    collected: list[Any] = []
    frame.to_parquet(sink, engine="pyarrow", compression=PARQUET_CODEC, metadata_collector=collected)
    meta = collected[0]
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))


def read_parquet(data: Any, max_uncompressed: int | None) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if max_uncompressed is not None:
        meta = pq.read_metadata(pa.BufferReader(data))
        claimed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        del meta
        if claimed > max_uncompressed:
            raise XComIntegrityError(
                f"Parquet object claims {claimed} uncompressed bytes, more than the {max_uncompressed} "
                "recorded when it was written; refusing to decompress it."
            )
    # The same reader as serde's pandas deserializer, so a frame reads back as the stock backend's
    # does (same dtypes, index and values).
    tables = [pq.read_table(pa.BufferReader(data))]
    if isinstance(data, bytearray):
        # The decoded table no longer needs the stored bytes: free them before the conversion.
        with contextlib.suppress(BufferError):
            data.clear()
    # One column per pandas block, each Arrow buffer released as soon as its column is converted,
    # and the table's only reference dropped first: numeric columns without nulls are handed over
    # without a copy, so the conversion never holds the table and a full copy of it at once (the
    # plain call does, about 2N on top of the stored bytes). Nothing uses the table afterwards,
    # which is what ``self_destruct`` requires.
    return tables.pop().to_pandas(self_destruct=True, split_blocks=True)


def write_npy(array: Any, sink: Any) -> None:
    import numpy as np

    np.save(sink, array, allow_pickle=False)


#: The largest ``.npy`` header numpy reads without ``allow_pickle`` (``read_array``'s default
#: ``max_header_size``): an array needing a larger one (a structured dtype of some thousand fields)
#: could be written but never read back.
NPY_MAX_HEADER = 10000


class _HeaderWritten(Exception):
    """Raised by ``_HeaderSize`` at the first write: the header, written by np.save in one call."""


class _HeaderSize:
    def write(self, data: Any) -> int:
        raise _HeaderWritten(len(data), data[6])  # the size and the major version


def npy_size(array: Any) -> int:
    """The exact .npy size of ``array`` (header plus data), known before writing anything.

    Raises ``TypeError`` if the header would be larger than numpy reads without pickle.
    """
    import numpy as np

    # np.save itself picks the format version (2.0 for headers of 64 KiB or more, 3.0 for field names
    # outside Latin-1) and writes the whole header in its first write; nothing of the data is copied.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Stored array in format 2.0/3.0"
            np.save(_HeaderSize(), array, allow_pickle=False)
    except _HeaderWritten as written:
        header, version = written.args
    else:  # pragma: no cover
        raise AssertionError("np.save wrote no header")
    # numpy's limit applies to the header text, after the magic, version and length (2 bytes in 1.0).
    if header - (10 if version == 1 else 12) > NPY_MAX_HEADER:
        raise TypeError(
            f"a numpy array of dtype with {len(array.dtype.descr)} fields needs a {header}-byte .npy "
            f"header, more than the {NPY_MAX_HEADER} bytes numpy reads back without pickle; split it "
            "into several arrays or pass it as a DataFrame."
        )
    return header + array.nbytes


def npy_header(first: bytes) -> tuple[int, Any]:
    """(header size, data size) declared by the ``.npy`` header at the start of ``first``."""
    import numpy as np

    fp = io.BytesIO(first)
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    else:
        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    if dtype.hasobject:
        raise XComIntegrityError(f".npy header declares dtype {dtype}, which only pickle could read")
    count = 1
    for dim in shape:
        count *= dim
    return fp.tell(), count * dtype.itemsize


class ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of byte chunks, for numpy's chunked array reader."""

    def __init__(self, chunks: Any):
        super().__init__()
        self._chunks = iter(chunks)
        self._view = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._view:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._view = memoryview(chunk)
        n = min(len(b), len(self._view))
        b[:n] = self._view[:n]
        self._view = self._view[n:]
        return n

    def exhausted(self) -> bool:
        """True if nothing is left to read (the chunk iterator is consumed as a side effect)."""
        return not self._view and all(not chunk for chunk in self._chunks)


def read_npy(source: Any) -> Any:
    """Read an array from bytes or a file object, straight into the array's memory, no pickle."""
    import numpy as np

    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    return np.lib.format.read_array(source, allow_pickle=False)


def compress(payload: bytes, compression: str | None, sink: Any) -> None:
    if not compression:
        sink.write(payload)
        return
    if compression == "gzip":
        import gzip

        with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as f:
            f.write(payload)
        return
    from fsspec.compression import compr

    with compr[compression](sink, mode="wb") as f:
        f.write(payload)


#: Expansion of compressed JSON up to which the decompressed buffer is allocated at once.
_PLAUSIBLE_RATIO = 64


def _read_into(f: Any, capacity: int) -> bytearray:
    """Up to ``capacity`` bytes of ``f`` in one buffer, without the pieces ``read(n)`` joins."""
    readinto = getattr(f, "readinto", None)
    if readinto is None:
        return bytearray(f.read(capacity))
    out = bytearray(capacity)
    view = memoryview(out)
    filled = 0
    try:
        while filled < capacity:
            n = readinto(view[filled:])
            if not n:
                break
            filled += n
    finally:
        view.release()
    del out[filled:]
    return out


def decompress(
    data: bytes, compression: str | None, limit: int | None, *, exact: bool = False
) -> bytes | bytearray:
    """Undo the fsspec codec, reading at most ``limit`` bytes: a planted bomb cannot exhaust memory.

    ``exact``: ``limit`` is the recorded size of the payload, so the output buffer is allocated once
    at that size (never with a mere upper bound such as ``max_size``).
    """
    if not compression:
        return data
    from fsspec.compression import compr

    with compr[compression](io.BytesIO(data), mode="rb") as f:
        if limit is None:
            out = f.read()
        elif exact:
            # Allocated up front, but never more than a plausible expansion of the stored bytes: a
            # forged recorded size must not reserve memory the object cannot fill.
            first = min(limit + 1, len(data) * _PLAUSIBLE_RATIO + 2**20)
            out = _read_into(f, first)
            if len(out) == first and first < limit + 1:
                out += f.read(limit + 1 - first)
        else:
            out = f.read(limit + 1)
    if limit is not None and len(out) > limit:
        raise XComIntegrityError(
            f"object decompresses ({compression}) past the {limit} bytes recorded when it was written; "
            "refusing to read further (a compression bomb, or a forged reference)."
        )
    return out
