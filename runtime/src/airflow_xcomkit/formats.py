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


class HashingBuffer(io.RawIOBase):
    """An in-memory write target that digests every byte as it arrives and enforces a size limit.

    Past the limit it keeps counting (so the error can give the size) but stops keeping bytes.
    """

    def __init__(self, digest: Any, limit: int | None = None):
        super().__init__()
        self._buf = io.BytesIO()
        self._digest = digest
        self._limit = limit
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        n = len(b) if not isinstance(b, memoryview) else b.nbytes
        self.size += n
        if self._limit is not None and self.size > self._limit:
            return n
        self._digest.update(b)
        self._buf.write(b)
        return n

    @property
    def over_limit(self) -> bool:
        return self._limit is not None and self.size > self._limit

    def getvalue(self) -> bytes:
        data = self._buf.getvalue()
        self._buf = io.BytesIO()
        return data


def is_instance_of(value: Any, module: str, attr: str) -> bool:
    # Check through sys.modules: a value of that type exists only if its library was imported.
    mod = sys.modules.get(module)
    cls = getattr(mod, attr, None) if mod is not None else None
    return cls is not None and isinstance(value, cls)


def encode_json(value: Any) -> bytes:
    """The stock backend's encoding, exactly: the bytes it would write and size against the threshold."""
    from airflow.utils.json import XComEncoder

    return json.dumps(value, cls=XComEncoder).encode("utf-8")


def json_format(payload: bytes) -> str:
    return "serde" if any(marker in payload for marker in _SERDE_MARKERS) else "json"


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


def decode_json(payload: bytes, fmt: str) -> Any:
    with _no_cyclic_gc():
        if fmt == "json" or not any(marker in payload for marker in _SERDE_MARKERS):
            return json.loads(payload)
        from airflow.utils.json import XComDecoder

        return json.loads(payload, cls=XComDecoder)


def write_parquet(frame: Any, sink: Any) -> None:
    frame.to_parquet(sink, engine="pyarrow", compression=PARQUET_CODEC)


def read_parquet(data: bytes, max_uncompressed: int | None) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pa.BufferReader(data)
    if max_uncompressed is not None:
        meta = pq.read_metadata(source)
        claimed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if claimed > max_uncompressed:
            raise XComIntegrityError(
                f"Parquet object claims {claimed} uncompressed bytes, more than the {max_uncompressed} "
                "recorded when it was written; refusing to decompress it."
            )
        source = pa.BufferReader(data)
    # The same call as serde's pandas deserializer, so a frame reads back as the stock backend's does.
    return pq.read_table(source).to_pandas()


def parquet_uncompressed_size(data: bytes) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = pq.read_metadata(pa.BufferReader(data))
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))


def write_npy(array: Any, sink: Any) -> None:
    import numpy as np

    np.save(sink, array, allow_pickle=False)


def npy_size(array: Any) -> int:
    """The exact .npy size of ``array`` (header plus data), known before writing anything."""
    import numpy as np

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    size = header.tell() + array.nbytes
    # np.save picks format 2.0 only for headers over 65535 bytes (huge structured dtypes).
    return size if header.tell() < 65536 else size + 2


def read_npy(data: bytes) -> Any:
    import numpy as np

    return np.load(io.BytesIO(data), allow_pickle=False)


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


def decompress(data: bytes, compression: str | None, limit: int | None) -> bytes:
    """Undo the fsspec codec, reading at most ``limit`` bytes: a planted bomb cannot exhaust memory."""
    if not compression:
        return data
    from fsspec.compression import compr

    with compr[compression](io.BytesIO(data), mode="rb") as f:
        out = f.read() if limit is None else f.read(limit + 1)
    if limit is not None and len(out) > limit:
        raise XComIntegrityError(
            f"object decompresses ({compression}) past the {limit} bytes recorded when it was written; "
            "refusing to read further (a compression bomb, or a forged reference)."
        )
    return out
