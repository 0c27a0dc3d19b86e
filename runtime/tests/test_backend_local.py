"""Backend behaviour on file:/// storage (the same code path as the cloud schemes)."""

from __future__ import annotations

import gzip
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from airflow_xcomkit.backend import XComKitBackend
from airflow_xcomkit.errors import XComIntegrityError, XComObjectMissingError
from airflow_xcomkit.reference import CLASSNAME
from helpers import Row, local_file, pull, push, reference


class ValidationResultLike:
    def to_json_dict(self):
        return {"success": False, "results": [{"expectation": "not_null", "success": False}]}


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_value_below_the_threshold_stays_in_the_database_as_plain_json(configure, local_store):
    configure(f"file://{local_store}", threshold=1000)
    value = {"rows": 3, "ok": True}
    assert push(value) == value
    assert stored_files(local_store) == []


def test_a_value_whose_json_size_equals_the_threshold_goes_to_storage(configure, local_store):
    value = {"k": "v" * 20}
    size = len(json.dumps(value).encode())
    configure(f"file://{local_store}", threshold=size)
    assert reference(push(value)).serializer == "json"
    configure(f"file://{local_store}", threshold=size + 1)
    assert push(value) == value


def test_threshold_minus_one_keeps_everything_in_the_database(configure, local_store):
    configure(f"file://{local_store}", threshold=-1)
    assert push("x" * 10_000) == "x" * 10_000
    assert stored_files(local_store) == []


def test_a_large_json_value_is_written_under_dag_run_task_map_index_and_key(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"a": list(range(100))}, key="numbers", map_index=2)
    ref = reference(db_value)
    assert db_value["__classname__"] == CLASSNAME
    [name] = stored_files(local_store)
    assert name.startswith("etl/manual__2024-01-01T00_00_00_00_00-")
    assert "/extract/2/numbers-" in name and name.endswith(".json")
    assert ref.path == f"file://{local_store}/{name}"
    assert pull(db_value) == {"a": list(range(100))}


def test_a_dataframe_comes_back_as_an_equal_dataframe_from_parquet_with_its_own_zstd(configure, local_store):
    import pyarrow.parquet as pq

    configure(f"file://{local_store}", threshold=0, compression="gzip")
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [3.5, 19.0]})
    db_value = push(frame)
    ref = reference(db_value)
    assert (ref.serializer, ref.format, ref.codec, ref.compression) == (
        "pandas",
        "parquet",
        "parquet-zstd",
        None,
    )
    [name] = stored_files(local_store)
    assert name.endswith(".parquet")  # never .parquet.gz: Parquet is not recompressed with fsspec's gzip
    column = pq.ParquetFile(local_store / name).metadata.row_group(0).column(0)
    assert column.compression == "ZSTD"
    pd.testing.assert_frame_equal(pull(db_value), frame)


def test_a_dataframe_whose_parquet_is_below_the_threshold_stays_in_the_database_as_stock(
    configure, local_store
):
    configure(f"file://{local_store}", threshold=1_000_000)
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [3.5, 19.0]})
    db_value = push(frame)
    assert db_value["__classname__"] == "pandas.DataFrame"  # serde's envelope, as stock writes it
    assert stored_files(local_store) == []
    pd.testing.assert_frame_equal(pull(db_value), frame)


def test_a_numpy_array_comes_back_as_an_equal_array_from_npy(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    array = np.linspace(0, 1, 50).reshape(5, 10)
    db_value = push(array)
    assert stored_files(local_store)[0].endswith(".npy")
    np.testing.assert_array_equal(pull(db_value), array)


def test_an_object_with_to_json_dict_comes_back_as_that_dict(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push(ValidationResultLike())
    assert reference(db_value).serializer == "json_dict"
    assert pull(db_value) == ValidationResultLike().to_json_dict()


def test_a_small_object_with_to_json_dict_is_stored_in_the_database_as_its_dict(configure, local_store):
    configure(f"file://{local_store}", threshold=100_000)
    assert push(ValidationResultLike()) == ValidationResultLike().to_json_dict()


def test_an_unsupported_type_raises_a_type_error_naming_the_type_task_and_key(configure, local_store):
    configure(f"file://{local_store}", threshold=0)

    class Opaque:
        pass

    with pytest.raises(TypeError) as err:
        push(Opaque(), key="model")
    message = str(err.value)
    assert "Opaque" in message and "extract" in message and "'model'" in message


def test_a_large_value_with_a_non_json_part_goes_through_serde_and_comes_back(configure, local_store):
    import datetime

    configure(f"file://{local_store}", threshold=0)
    value = {"when": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), "ids": {1, 2}}
    db_value = push(value, key="stamp")
    assert (reference(db_value).serializer, reference(db_value).format) == ("serde", "serde")
    assert stored_files(local_store)[0].endswith(".json")
    assert pull(db_value) == value


def test_a_serializer_left_out_of_allowed_types_is_refused(configure, local_store):
    configure(f"file://{local_store}", threshold=0, allowed_types="json")
    with pytest.raises(TypeError, match="allowed_types") as err:
        push(pd.DataFrame({"a": [1]}), key="frame")
    assert "pandas" in str(err.value) and "'frame'" in str(err.value)
    assert stored_files(local_store) == []


def test_a_dict_that_merely_looks_like_a_reference_cannot_be_stored_as_one(configure, local_store):
    configure(f"file://{local_store}", threshold=1_000_000)
    look_alike = {"__classname__": CLASSNAME, "__version__": 1, "__data__": {"path": "file:///etc/passwd"}}
    with pytest.raises(TypeError, match="reserved key"):
        push(look_alike)
    # A reference-like dict nested in a value is an ordinary value and comes back unchanged.
    nested = {"payload": {"path": "file:///etc/passwd", "sha256": "0" * 64}}
    assert pull(push(nested)) == nested


def test_compressed_objects_carry_the_compression_suffix_and_read_back(configure, local_store):
    configure(f"file://{local_store}", threshold=0, compression="gzip")
    db_value = push({"text": "abc" * 1000})
    [name] = stored_files(local_store)
    assert name.endswith(".json.gz")
    with gzip.open(local_store / name) as f:
        assert json.load(f) == {"text": "abc" * 1000}
    assert reference(db_value).compression == "gzip"
    assert pull(db_value) == {"text": "abc" * 1000}


def test_without_a_key_the_reference_records_the_sha256_of_the_stored_bytes(configure, local_store):
    import hashlib

    configure(f"file://{local_store}", threshold=0)
    ref = reference(push([1, 2, 3]))
    with open(local_file(ref.path), "rb") as f:
        data = f.read()
    assert ref.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert ref.size == len(data)


def test_with_a_key_the_reference_records_an_hmac_that_a_plain_hash_cannot_confirm(configure, local_store):
    import hashlib
    import hmac

    key = "k" * 32
    configure(f"file://{local_store}", threshold=0, integrity_key=key)
    ref = reference(push([1, 2, 3]))
    with open(local_file(ref.path), "rb") as f:
        data = f.read()
    assert ref.digest == "hmac-sha256:" + hmac.new(key.encode(), data, hashlib.sha256).hexdigest()
    assert hashlib.sha256(data).hexdigest() not in json.dumps(ref.to_json())


def test_a_corrupted_object_raises_an_integrity_error_naming_the_object(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"balance": 100})
    path = local_file(reference(db_value).path)
    with open(path, "wb") as f:
        f.write(b'{"balance":999}')
    with pytest.raises(XComIntegrityError, match="does not match") as err:
        pull(db_value)
    assert reference(db_value).path in str(err.value)


def test_verify_integrity_false_skips_the_hash_check(configure, local_store):
    configure(f"file://{local_store}", threshold=0, verify_integrity=False)
    db_value = push({"balance": 100})
    with open(local_file(reference(db_value).path), "wb") as f:
        f.write(b'{"balance": 999}')  # same size, other content
    assert pull(db_value) == {"balance": 999}


def test_a_missing_object_raises_instead_of_returning_the_reference(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"a": 1})
    os.remove(local_file(reference(db_value).path))
    with pytest.raises(XComObjectMissingError, match="missing") as err:
        pull(db_value)
    assert isinstance(err.value, FileNotFoundError)


def test_purge_deletes_the_object_and_leaves_database_values_alone(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"a": 1})
    assert len(stored_files(local_store)) == 1
    XComKitBackend.purge(Row(db_value))
    assert stored_files(local_store) == []
    XComKitBackend.purge(Row(db_value))  # already gone: no error
    XComKitBackend.purge(Row({"a": 1}))  # a DB value: nothing to delete


def test_purge_never_deletes_outside_the_configured_locations(configure, local_store, tmp_path, caplog):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    configure(f"file://{local_store}", threshold=0)
    ref = reference(push({"a": 1}))
    forged = {**ref.to_json(), "__data__": {**ref.to_json()["__data__"], "path": f"file://{victim}"}}
    with caplog.at_level(logging.WARNING):
        XComKitBackend.purge(Row(forged))
    assert victim.read_text() == "keep me"
    assert "outside the configured path" in caplog.text


def test_mirrors_get_a_copy_and_a_read_falls_back_to_a_mirror(configure, tmp_path, caplog):
    primary, mirror = tmp_path / "primary", tmp_path / "mirror"
    primary.mkdir()
    mirror.mkdir()
    configure(f"file://{primary}", threshold=0, mirrors=[f"file://{mirror}"])
    db_value = push({"a": 1})
    ref = reference(db_value)
    assert stored_files(primary) == stored_files(mirror)
    assert ref.mirrors == [f"file://{mirror}/{stored_files(mirror)[0]}"]
    os.remove(local_file(ref.path))
    with caplog.at_level(logging.WARNING):
        assert pull(db_value) == {"a": 1}
    assert "read XCom object from mirror" in caplog.text
    XComKitBackend.purge(Row(db_value))
    assert stored_files(mirror) == []


def test_200_concurrent_pushes_of_the_same_key_never_collide(configure, local_store):
    configure(f"file://{local_store}", threshold=0)

    def one(i):
        return push({"i": i, "pad": "x" * 100})

    with ThreadPoolExecutor(max_workers=32) as pool:
        db_values = list(pool.map(one, range(200)))
    paths = {reference(v).path for v in db_values}
    assert len(paths) == 200
    assert len(stored_files(local_store)) == 200
    assert [pull(v)["i"] for v in db_values] == list(range(200))


def test_with_threshold_minus_one_a_dataframe_goes_through_airflows_serializer(configure, local_store):
    configure(f"file://{local_store}", threshold=-1)
    frame = pd.DataFrame({"a": [1, 2]})
    db_value = push(frame)
    assert db_value["__classname__"].endswith("DataFrame")
    assert stored_files(local_store) == []
    pd.testing.assert_frame_equal(pull(db_value), frame)


def test_with_threshold_minus_one_an_array_raises_a_type_error_naming_the_task(configure, local_store):
    configure(f"file://{local_store}", threshold=-1)
    with pytest.raises(TypeError, match=r"numpy\.ndarray") as err:
        push(np.arange(3), key="arr")
    assert "extract" in str(err.value) and "'arr'" in str(err.value)


def test_a_small_non_json_value_stays_in_the_database_through_airflows_serializer(configure, local_store):
    import datetime

    configure(f"file://{local_store}", threshold=10_000)
    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    db_value = push({"when": when})
    assert stored_files(local_store) == []
    assert pull(db_value) == {"when": when}


def test_the_primary_and_the_mirrors_are_written_at_the_same_time(configure, tmp_path, monkeypatch):
    import threading

    from airflow_xcomkit import storage, writer

    paths = [tmp_path / name for name in ("primary", "m1", "m2")]
    configure(f"file://{paths[0]}", threshold=0, mirrors=[f"file://{p}" for p in paths[1:]])
    # Each write waits until all three have started: sequential writes would break the barrier.
    barrier = threading.Barrier(3, timeout=30)

    def write_when_all_started(url, data):
        barrier.wait()
        storage.write_bytes(url, data)

    monkeypatch.setattr(writer, "write_bytes", write_when_all_started)
    ref = reference(push({"a": 1}))
    assert ref.failed_mirrors == [] and len(ref.mirrors) == 2
    assert stored_files(paths[0]) == stored_files(paths[1]) == stored_files(paths[2])


def test_a_failed_primary_write_fails_the_push_and_leaves_no_mirror_copy(configure, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the primary directory would be")
    mirror = tmp_path / "mirror"
    configure(f"file://{blocker}/xcom", threshold=0, mirrors=[f"file://{mirror}"])
    with pytest.raises(OSError):
        push({"a": 1})
    assert not mirror.exists() or stored_files(mirror) == []


def test_a_version_1_reference_written_by_airflow_xcomkit_0_1_is_still_read(configure, local_store):
    import hashlib

    configure(f"file://{local_store}", threshold=0)
    data = gzip.compress(json.dumps({"old": [1, 2]}).encode())
    path = local_store / "etl" / "run" / "task" / "-1" / "return_value-0123.json.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    v1 = {
        "__classname__": CLASSNAME,
        "__version__": 1,
        "__data__": {
            "path": f"file://{path}",
            "mirrors": [],
            "failed_mirrors": [],
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "serializer": "json",
            "compression": "gzip",
        },
    }
    assert pull(v1) == {"old": [1, 2]}
    XComKitBackend.purge(Row(v1))
    assert not path.exists()


def test_an_object_the_stock_backend_wrote_is_read_and_purged(configure, local_store):
    import datetime

    from airflow.providers.common.io.xcom import backend as stock

    configure(f"file://{local_store}", threshold=0, compression="gzip")
    for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
        fn.cache_clear()
    try:
        value = {"when": datetime.date(2024, 1, 2), "ids": {1, 2}}
        path = stock.XComObjectStorageBackend.serialize_value(
            value, key="k", dag_id="d", run_id="r", task_id="t"
        )
    finally:
        for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
            fn.cache_clear()
    assert isinstance(path, str) and path.endswith(".gz")  # <uuid>.gz in the 3.3 layout
    assert pull(path) == value
    XComKitBackend.purge(Row(path))
    assert stored_files(local_store) == []
    # A path string outside the configured location is an ordinary string, as with the stock backend.
    assert pull("file:///etc/hostname") == "file:///etc/hostname"
