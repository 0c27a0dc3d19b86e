"""The stored formats, exactly: what each writer puts in storage and what each reader accepts.

Every check here is against an independent oracle (the standard library's gzip, numpy's own
``np.save``, pyarrow's metadata, ``json.loads``), never against the module's own helpers.
"""

from __future__ import annotations

import gc
import gzip
import io
import json
import lzma

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from airflow_xcomkit import formats
from airflow_xcomkit.errors import XComIntegrityError

# Compressible, but not trivially: gzip levels 6 and 9 (fsspec's) give different bytes for it.
TEXT = json.dumps([{"id": i, "name": f"row-{i % 97}", "score": (i * 7919) % 1013} for i in range(1500)])


class Recorder(io.RawIOBase):
    """A sink that keeps every write's size, to check that text is written in bounded pieces."""

    def __init__(self):
        super().__init__()
        self.data = bytearray()
        self.sizes: list[int] = []

    def writable(self):
        return True

    def write(self, b):
        self.sizes.append(len(b))
        self.data += b
        return len(b)


# --- the JSON format name ----------------------------------------------------------------------


@pytest.mark.parametrize("marker", ['"__classname__"', '"__type"'])
def test_a_serde_marker_makes_the_format_serde_in_text_and_in_bytes(marker):
    text = f'{{"a": {{{marker}: "x"}}}}'
    assert formats.json_format(text) == "serde"
    assert formats.json_format(text.encode()) == "serde"


def test_json_without_a_serde_marker_is_plain_json_in_text_and_in_bytes():
    text = '{"__classname": 1, "type": "_type", "__version__": 2}'
    assert formats.json_format(text) == "json"
    assert formats.json_format(text.encode()) == "json"


# --- sizes and type checks ---------------------------------------------------------------------


def test_text_size_is_the_utf8_size():
    assert formats.text_size("abc") == 3
    assert formats.text_size("é€😀") == 2 + 3 + 4


def test_is_instance_of_looks_only_at_imported_modules():
    assert formats.is_instance_of(np.zeros(1), "numpy", "ndarray")
    assert not formats.is_instance_of([1], "numpy", "ndarray")
    assert not formats.is_instance_of(np.zeros(1), "numpy", "no_such_class")
    assert not formats.is_instance_of(np.zeros(1), "xcomkit_module_never_imported", "ndarray")


def test_encode_json_is_the_stock_encoding():
    from airflow.utils.json import XComEncoder

    value = {"a": [1, 2.5, None, "é"], "b": {"c": True}}
    assert formats.encode_json(value) == json.dumps(value, cls=XComEncoder)


# --- writing text and bytes through the codecs -------------------------------------------------


def test_text_without_compression_is_written_as_utf8_in_pieces_of_at_most_one_mebibyte():
    text = "é" + "x" * (2 * formats.TEXT_CHUNK + 5)
    sink = Recorder()
    formats.write_text(text, None, sink)
    assert bytes(sink.data) == text.encode("utf-8")
    assert formats.TEXT_CHUNK == 2**20
    assert max(sink.sizes) <= 2**20 + 1  # one piece of characters, one of them two bytes
    assert len(sink.sizes) == 3


def gzipped(data: bytes, level: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=level, mtime=0) as f:
        f.write(data)
    return out.getvalue()


def test_gzip_text_and_bytes_are_level_6_without_a_timestamp():
    want = gzipped(TEXT.encode(), 6)
    assert want not in (gzipped(TEXT.encode(), 9), gzipped(TEXT.encode(), 7), gzipped(TEXT.encode(), 5))
    for write in (formats.write_text, lambda t, c, s: formats.compress(t.encode(), c, s)):
        sink = io.BytesIO()
        write(TEXT, "gzip", sink)
        assert sink.getvalue() == want


@pytest.mark.parametrize("compression", ["bz2", "lzma", "xz"])
def test_other_codecs_write_what_the_codec_reads_back(compression):
    from fsspec.compression import compr

    for write in (formats.write_text, lambda t, c, s: formats.compress(t.encode(), c, s)):
        sink = io.BytesIO()
        write(TEXT, compression, sink)
        assert sink.getvalue() != TEXT.encode()
        with compr[compression](io.BytesIO(sink.getvalue()), mode="rb") as f:
            assert f.read() == TEXT.encode()


def test_no_compression_writes_the_bytes_themselves():
    for compression in (None, ""):
        sink = io.BytesIO()
        formats.compress(b"payload", compression, sink)
        assert sink.getvalue() == b"payload"
        sink = io.BytesIO()
        formats.write_text("payload", compression, sink)
        assert sink.getvalue() == b"payload"


# --- decompression bounds ----------------------------------------------------------------------


def test_no_compression_returns_the_data_unchanged():
    assert formats.decompress(b"abc", None, 1) == b"abc"
    assert formats.decompress(b"abc", "", None) == b"abc"


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("compression", ["gzip", "bz2", "lzma", "xz"])
def test_decompression_up_to_the_recorded_size_succeeds_and_one_byte_less_is_refused(compression, exact):
    sink = io.BytesIO()
    formats.compress(TEXT.encode(), compression, sink)
    data = sink.getvalue()
    size = len(TEXT.encode())
    assert bytes(formats.decompress(data, compression, size, exact=exact)) == TEXT.encode()
    assert bytes(formats.decompress(data, compression, None, exact=exact)) == TEXT.encode()
    with pytest.raises(XComIntegrityError) as info:
        formats.decompress(data, compression, size - 1, exact=exact)
    assert str(info.value) == (
        f"object decompresses ({compression}) past the {size - 1} bytes recorded when it was written; "
        "refusing to read further (a compression bomb, or a forged reference)."
    )


@pytest.mark.parametrize("compression", ["gzip", "bz2"])
def test_an_exact_read_past_the_plausible_expansion_still_returns_every_byte(compression):
    # 3 MiB of zeros compress to a few KiB: the first buffer (64x the stored bytes + 1 MiB) is
    # smaller than the recorded size, so the rest is read after it.
    payload = b"\0" * (3 * 2**20) + b"end"
    sink = io.BytesIO()
    formats.compress(payload, compression, sink)
    data = sink.getvalue()
    assert len(data) * 64 + 2**20 < len(payload)
    out = formats.decompress(data, compression, len(payload), exact=True)
    assert len(out) == len(payload) and bytes(out[-3:]) == b"end" and not any(out[:-3])
    with pytest.raises(XComIntegrityError, match="past the"):
        formats.decompress(data, compression, len(payload) - 1, exact=True)


def test_an_exact_read_with_a_forged_huge_size_returns_the_real_bytes():
    payload = TEXT.encode()
    data = gzip.compress(payload)
    out = formats.decompress(data, "gzip", 10**15, exact=True)  # a buffer of that size would fail
    assert bytes(out) == payload


def test_read_into_fills_one_buffer_from_readinto_or_from_read():
    class ReadOnly:
        def __init__(self, data):
            self._f = io.BytesIO(data)

        def read(self, n=-1):
            return self._f.read(n)

    class Trickle(io.RawIOBase):
        """readinto gives at most 3 bytes at a time."""

        def __init__(self, data):
            super().__init__()
            self._f = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            chunk = self._f.read(min(3, len(b)))
            b[: len(chunk)] = chunk
            return len(chunk)

    for make in (ReadOnly, Trickle):
        got = formats._read_into(make(b"0123456789"), 7)
        assert isinstance(got, bytearray) and got == bytearray(b"0123456")
        got = formats._read_into(make(b"0123456789"), 20)
        assert got == bytearray(b"0123456789")
        assert formats._read_into(make(b""), 5) == bytearray()


# --- JSON decoding -----------------------------------------------------------------------------


def test_decode_json_reads_plain_json_and_empties_a_bytearray_payload():
    payload = bytearray(b'{"a": [1, 2], "b": "\\u00e9"}')
    assert formats.decode_json(payload, "json") == {"a": [1, 2], "b": "é"}
    assert payload == bytearray()
    kept = b'[1, "x"]'
    assert formats.decode_json(kept, "json") == [1, "x"]
    assert kept == b'[1, "x"]'


def test_decode_json_detects_the_encoding_and_passes_surrogates_as_json_loads_does():
    for payload in ('{"k": "é"}'.encode("utf-16"), '{"k": "é"}'.encode()):
        assert formats.decode_json(payload, "json") == json.loads(payload) == {"k": "é"}
    lone = b'"\xed\xa0\x80"'
    assert formats.decode_json(lone, "json") == json.loads(lone) == "\ud800"


def test_decode_json_uses_serdes_decoder_only_for_serde_objects_with_a_marker():
    from airflow.utils.json import XComEncoder

    value = {"when": __import__("datetime").date(2024, 1, 2)}
    payload = json.dumps(value, cls=XComEncoder).encode()
    assert formats.decode_json(payload, "serde") == value
    # Named "json", the same bytes are read as plain JSON: the marker dict itself.
    assert formats.decode_json(payload, "json") == json.loads(payload)
    # Named serde without a marker: plain JSON too.
    assert formats.decode_json(b'{"a": 1}', "serde") == {"a": 1}


@pytest.mark.parametrize("enabled", [True, False])
def test_decoding_leaves_the_cyclic_collector_as_it_found_it(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        formats.decode_json(b"[1]", "json")
        assert gc.isenabled() is enabled
        with pytest.raises(json.JSONDecodeError):
            formats.decode_json(b"[1", "json")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_cyclic_collector_is_off_while_parsing():
    seen = []
    was = gc.isenabled()
    gc.enable()
    try:
        with formats._no_cyclic_gc():
            seen.append(gc.isenabled())
        assert seen == [False] and gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


# --- Parquet -----------------------------------------------------------------------------------


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": np.arange(1000), "b": [f"v{i % 13}" for i in range(1000)]})


def test_parquet_is_zstd_and_reports_the_uncompressed_size_of_its_row_groups():
    sink = io.BytesIO()
    size = formats.write_parquet(frame(), sink)
    meta = pq.read_metadata(io.BytesIO(sink.getvalue()))
    assert size == sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) > 0
    codecs = {
        meta.row_group(r).column(c).compression
        for r in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    }
    assert codecs == {"ZSTD"}


def test_parquet_reads_back_within_its_claimed_size_and_refuses_one_byte_less():
    sink = io.BytesIO()
    size = formats.write_parquet(frame(), sink)
    data = bytearray(sink.getvalue())
    pd.testing.assert_frame_equal(formats.read_parquet(bytes(data), size), frame())
    pd.testing.assert_frame_equal(formats.read_parquet(bytes(data), None), frame())
    with pytest.raises(XComIntegrityError) as info:
        formats.read_parquet(bytes(data), size - 1)
    assert str(info.value) == (
        f"Parquet object claims {size} uncompressed bytes, more than the {size - 1} recorded when it "
        "was written; refusing to decompress it."
    )
    pd.testing.assert_frame_equal(formats.read_parquet(data, size), frame())


# --- .npy --------------------------------------------------------------------------------------


def npy_bytes(array) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def test_npy_is_numpys_own_format_without_pickle():
    array = np.arange(12, dtype="<i4").reshape(3, 4)
    sink = io.BytesIO()
    formats.write_npy(array, sink)
    assert sink.getvalue() == npy_bytes(array)
    with pytest.raises(ValueError):
        formats.write_npy(np.array([object()]), io.BytesIO())


@pytest.mark.parametrize(
    "array",
    [
        np.zeros(0),
        np.arange(10.0),
        np.zeros((3, 0, 2)),
        np.ones((2, 3), dtype=">i2"),
        np.zeros(2, np.dtype([("a", "<f8"), ("b", "u1")])),
    ],
    ids=["empty", "floats", "zero-dim", "big-endian", "structured"],
)
@pytest.mark.filterwarnings("ignore:Stored array in format")
def test_npy_size_and_header_are_exactly_what_np_save_writes(array):
    stored = npy_bytes(array)
    assert formats.npy_size(array) == len(stored)
    header, body = formats.npy_header(stored[: 2**17])
    assert header + body == len(stored)
    assert body == array.nbytes
    np.testing.assert_array_equal(formats.read_npy(stored), array)


def fields(n: int) -> np.ndarray:
    return np.zeros(2, np.dtype([(f"f{i:017d}", "u1") for i in range(n)]))


@pytest.mark.filterwarnings("ignore:Stored array in format")
def test_npy_size_refuses_exactly_the_headers_numpy_would_not_read_back():
    # numpy reads a header of at most 10000 bytes without pickle: every dtype npy_size accepts reads
    # back, every one it refuses numpy refuses too; the boundary is at 320 fields of this dtype.
    verdicts = {}
    for n in (318, 319, 320, 321, 2200):
        stored = npy_bytes(fields(n))
        try:
            np.lib.format.read_array(io.BytesIO(stored), allow_pickle=False)
            readable = True
        except ValueError:
            readable = False
        try:
            accepted = formats.npy_size(fields(n)) == len(stored)
        except TypeError as err:
            assert "fields needs a" in str(err) and "numpy reads back without pickle" in str(err)
            accepted = False
        verdicts[n] = (accepted, readable)
        assert accepted == readable, n
    assert (True, True) in verdicts.values() and (False, False) in verdicts.values()


@pytest.mark.filterwarnings("ignore:Stored array in format")
def test_npy_size_of_format_3_field_names_outside_latin1():
    array = np.zeros(3, np.dtype([("€", "<u2"), ("x", "u1")]))
    stored = npy_bytes(array)
    assert stored[6] == 3
    assert formats.npy_size(array) == len(stored)


def test_an_npy_header_declaring_objects_is_refused():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (2,)})
    with pytest.raises(XComIntegrityError, match=r"dtype object, which only pickle could read"):
        formats.npy_header(b"\x93NUMPY\x01\x00" + header.getvalue()[8:])


def test_read_npy_reads_bytes_bytearrays_views_and_files():
    array = np.arange(5.0)
    stored = npy_bytes(array)
    for source in (stored, bytearray(stored), memoryview(stored), io.BytesIO(stored)):
        np.testing.assert_array_equal(formats.read_npy(source), array)


def test_chunk_reader_joins_chunks_of_any_size_and_reports_exhaustion():
    stored = npy_bytes(np.arange(100.0))
    chunks = [stored[:3], b"", stored[3:500], stored[500:501], stored[501:]]
    reader = formats.ChunkReader(chunks)
    assert reader.readable()
    np.testing.assert_array_equal(formats.read_npy(reader), np.arange(100.0))
    assert reader.exhausted()
    assert reader.readinto(bytearray(4)) == 0

    reader = formats.ChunkReader([b"abc", b"", b"de"])
    buf = bytearray(2)
    assert reader.readinto(buf) == 2 and buf == bytearray(b"ab")
    assert not reader.exhausted()  # "c" is still in the view
    reader = formats.ChunkReader([b"ab", b"", b"x"])
    assert reader.readinto(bytearray(2)) == 2
    assert not reader.exhausted()  # "x" is still to come
    reader = formats.ChunkReader([b"ab", b"", b""])
    assert reader.readinto(bytearray(2)) == 2
    assert reader.exhausted()


def test_lzma_is_read_through_fsspec_like_any_codec():
    data = lzma.compress(b"[1, 2, 3]")
    assert json.loads(bytes(formats.decompress(data, "lzma", 9, exact=True))) == [1, 2, 3]


def test_an_exact_read_whose_first_buffer_is_exactly_the_recorded_size_still_detects_one_byte_more():
    # The first buffer is min(recorded + 1, 64x the stored bytes + 1 MiB); forge the recorded size so
    # that both are equal minus one: the byte past the recorded size must still be read and refused.
    data = gzip.compress(b"\0" * (3 * 2**20))
    recorded = len(data) * 64 + 2**20
    with pytest.raises(XComIntegrityError, match=f"past the {recorded} bytes"):
        formats.decompress(data, "gzip", recorded, exact=True)
