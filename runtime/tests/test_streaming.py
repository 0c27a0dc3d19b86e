"""Values larger than a block are streamed: multipart on S3 (moto), temporary name on file://.

Request counts are read from moto's request log; memory is measured by scripts/bench-runtime.py.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from airflow_xcomkit.backend import XComKitBackend
from airflow_xcomkit.errors import XComIntegrityError
from airflow_xcomkit.storage import BLOCK_SIZE
from conftest import BUCKET, S3_CONN
from helpers import Row, local_file, pull, push, reference
from test_backend_cloud import _new_requests, key_of, s3_client, s3_keys


def all_files(root) -> list[str]:
    # Hidden temporary names included: a leftover ".<name>.partial" would be a defect.
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def big_array() -> np.ndarray:
    # 1.5 blocks of float64: one full part, one partial one.
    return np.random.default_rng(7).random(BLOCK_SIZE * 3 // 2 // 8)


def incompressible_frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.random.default_rng(3).random(rows)})


def test_a_value_larger_than_a_block_is_one_multipart_upload_and_ranged_gets(s3):
    server, prefix = s3
    XComKitBackend.purge(Row(push({"warm": "up"})))  # the first use resolves the connection
    array = big_array()
    before = len(server.requests())
    db_value = push(array)
    ref = reference(db_value)
    requests = _new_requests(server, before, 4)
    name = key_of(ref.path).split("/")[-1]
    # CreateMultipartUpload, one UploadPart per block, CompleteMultipartUpload: 2 + ceil(size / block).
    assert [m for m, _ in requests] == ["POST", "PUT", "PUT", "POST"], requests
    assert all(name in path for _, path in requests)
    assert "uploads" in requests[0][1] and "uploadId=" in requests[-1][1]
    assert s3_keys(server, prefix) == [key_of(ref.path)]
    stored = s3_client(server).get_object(Bucket=BUCKET, Key=key_of(ref.path))["Body"].read()
    assert ref.size == len(stored) and ref.digest == "sha256:" + hashlib.sha256(stored).hexdigest()

    before = len(server.requests())
    np.testing.assert_array_equal(pull(db_value), array)
    assert [m for m, _ in _new_requests(server, before, 2)] == ["GET", "GET"]  # ranges of one block
    XComKitBackend.purge(Row(db_value))
    assert s3_keys(server, prefix) == []


def test_crossing_max_size_mid_stream_aborts_the_multipart_upload_and_leaves_nothing(
    s3_server, configure, request
):
    prefix = f"xcom/{request.node.name}"
    limit = BLOCK_SIZE + BLOCK_SIZE // 2
    configure(f"s3://{S3_CONN}@{BUCKET}/{prefix}", threshold=0, max_size=limit)
    frame = incompressible_frame(3 * BLOCK_SIZE // 8)  # about 3 blocks of Parquet: size unknown up front
    before = len(s3_server.requests())
    with pytest.raises(ValueError, match=f"max_size={limit}") as err:
        push(frame, key="big")
    assert "'big'" in str(err.value) and "nothing was written" in str(err.value)
    requests = _new_requests(s3_server, before, 3)
    methods = [m for m, _ in requests]
    assert methods[0] == "POST" and "PUT" in methods and methods[-1] == "DELETE", requests
    assert "uploadId=" in requests[-1][1]  # AbortMultipartUpload
    client = s3_client(s3_server)
    assert client.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix).get("Uploads", []) == []
    assert s3_keys(s3_server, prefix) == []


def test_a_large_value_streams_to_file_storage_and_a_mirror_and_reads_back(configure, tmp_path):
    primary, mirror = tmp_path / "primary", tmp_path / "mirror"
    configure(f"file://{primary}", threshold=0, mirrors=[f"file://{mirror}"])
    array = big_array()
    db_value = push(array)
    ref = reference(db_value)
    assert all_files(primary) == all_files(mirror) and len(all_files(primary)) == 1
    with open(local_file(ref.path), "rb") as f:
        data = f.read()
    assert ref.size == len(data) and ref.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    np.testing.assert_array_equal(pull(db_value), array)

    # One flipped byte in the second block: the primary is refused, the mirror serves the value.
    with open(local_file(ref.path), "r+b") as f:
        f.seek(BLOCK_SIZE + 5)
        byte = f.read(1)
        f.seek(BLOCK_SIZE + 5)
        f.write(bytes([byte[0] ^ 1]))
    np.testing.assert_array_equal(pull(db_value), array)
    configure(f"file://{primary}", threshold=0)
    with pytest.raises(XComIntegrityError, match="does not match"):
        pull({**db_value, "__data__": {**db_value["__data__"], "mirrors": []}})


def test_a_large_dataframe_streams_and_reads_back_with_its_uncompressed_size(configure, local_store):
    import pyarrow.parquet as pq

    configure(f"file://{local_store}", threshold=0)
    frame = incompressible_frame(2 * BLOCK_SIZE // 8)
    db_value = push(frame)
    ref = reference(db_value)
    meta = pq.ParquetFile(local_file(ref.path)).metadata
    assert ref.size > BLOCK_SIZE
    assert ref.raw_size == sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    pd.testing.assert_frame_equal(pull(db_value), frame)


def test_crossing_max_size_mid_stream_on_file_storage_leaves_no_file_not_even_a_temporary_one(
    configure, local_store
):
    configure(f"file://{local_store}", threshold=0, max_size=BLOCK_SIZE + 1)
    with pytest.raises(ValueError, match="max_size"):
        push(incompressible_frame(2 * BLOCK_SIZE // 8))
    assert all_files(local_store) == []


def test_an_array_whose_header_claims_more_than_the_recorded_size_is_refused_before_allocation(
    configure, local_store
):
    import io

    configure(f"file://{local_store}", threshold=0, verify_integrity=False)
    db_value = push(np.zeros(4))
    forged = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}  # 8 TB
    np.lib.format.write_array_header_1_0(forged, header)
    forged.write(b"\0" * 32)
    with open(local_file(reference(db_value).path), "wb") as f:
        f.write(forged.getvalue())
    with pytest.raises(XComIntegrityError, match="does not match"):
        pull({**db_value, "__data__": {**db_value["__data__"], "size": len(forged.getvalue())}})
