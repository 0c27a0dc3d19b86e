"""The backend's exact contract on file:// storage: reference fields, object names, messages, logs.

test_backend_local.py shows that each kind of value round-trips; this file pins what a user or an
operator sees: every field of the reference, the name's extension, the words of each refusal and
each warning, and which reads fall back or fail. All storage is in the test's temporary directory.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging

import numpy as np
import pandas as pd
import pydantic
import pytest

from airflow_xcomkit.backend import XComKitBackend, is_internal_key
from airflow_xcomkit.errors import XComIntegrityError, XComKitError, XComObjectMissingError
from helpers import Row, local_file, pull, push, reference

WHERE = "task etl.extract (run_id='manual__2024-01-01T00:00:00+00:00', map_index=-1) key 'return_value'"


def files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- which keys stay in the DB -----------------------------------------------------------------


def test_only_airflows_own_keys_are_internal():
    assert is_internal_key("skipmixin_key") and is_internal_key("_link_x")
    assert not is_internal_key(None)
    assert not is_internal_key("x_link_") and not is_internal_key("return_value")
    assert not is_internal_key("skipmixin_key2")


def test_a_push_without_a_key_is_stored_normally(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = XComKitBackend.serialize_value("x" * 50, key=None, dag_id="d", run_id="r", task_id="t")
    assert reference(db_value).format == "json"


# --- reference fields and names ----------------------------------------------------------------


def test_a_json_value_records_its_text_size_and_no_codec(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    value = {"k": "é" * 10}
    ref = reference(push(value))
    text = json.dumps(value)
    assert (ref.format, ref.serializer, ref.codec, ref.compression) == ("json", "json", None, None)
    assert ref.raw_size == ref.size == len(text.encode())
    assert ref.path.endswith(".json") and ref.mirrors == [] and ref.failed_mirrors == []


def test_a_compressed_serde_value_is_named_json_gz_and_records_both_sizes(configure, local_store):
    configure(f"file://{local_store}", threshold=0, compression="gzip")
    value = {"when": [__import__("datetime").date(2024, 1, i) for i in range(1, 29)]}
    db_value = push(value)
    ref = reference(db_value)
    assert (ref.format, ref.serializer, ref.compression) == ("serde", "serde", "gzip")
    assert ref.path.endswith(".json.gz")
    with open(local_file(ref.path), "rb") as f:
        stored = f.read()
    assert ref.size == len(stored) and ref.raw_size == len(gzip.decompress(stored))
    assert pull(db_value) == value


def test_a_dataframe_records_the_parquet_codec_and_its_uncompressed_size(configure, local_store):
    configure(f"file://{local_store}", threshold=0, compression="gzip")
    frame = pd.DataFrame({"a": range(500)})
    ref = reference(push(frame))
    assert (ref.format, ref.serializer, ref.codec, ref.compression) == (
        "parquet",
        "pandas",
        "parquet-zstd",
        None,
    )
    assert ref.path.endswith(".parquet")
    assert ref.raw_size > 0 and ref.raw_size != ref.size


def test_an_array_records_its_npy_size_only(configure, local_store):
    configure(f"file://{local_store}", threshold=0, compression="gzip")
    array = np.arange(10.0)
    ref = reference(push(array))
    assert (ref.format, ref.serializer, ref.codec, ref.compression) == ("npy", "numpy", None, None)
    assert ref.path.endswith(".npy") and ref.size == ref.raw_size == 128 + 80


def test_the_summary_describes_the_value(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    ref = reference(push(pd.DataFrame({"a": range(3)})))
    assert ref.summary and "3" in json.dumps(ref.summary)


# --- arrays numpy could not read back (a bug fixed here) ---------------------------------------


@pytest.mark.filterwarnings("ignore:Stored array in format")
def test_an_array_with_field_names_outside_latin1_round_trips(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    array = np.zeros(3, np.dtype([("€", "<u2"), ("x", "u1")]))
    array["x"] = [1, 2, 3]
    got = pull(push(array))
    assert got.dtype == array.dtype
    np.testing.assert_array_equal(got, array)


def test_an_array_whose_header_numpy_would_refuse_to_read_is_refused_on_push(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    array = np.zeros(2, np.dtype([(f"f{i:017d}", "u1") for i in range(400)]))
    with pytest.raises(TypeError) as info:
        push(array)
    assert str(info.value).startswith(f"XCom {WHERE}: a numpy array of dtype with 400 fields needs a ")
    assert str(info.value).endswith(
        "-byte .npy header, more than the 10000 bytes numpy reads back without pickle; split it into "
        "several arrays or pass it as a DataFrame."
    )
    assert files(local_store) == []


# --- refusals, word for word -------------------------------------------------------------------


def test_an_object_array_is_refused_naming_the_dtype(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    with pytest.raises(TypeError) as info:
        push(np.array([object()]))
    assert str(info.value) == (
        f"XCom {WHERE}: a numpy array of dtype object holds Python objects, which only pickle could "
        "store; convert it to a typed dtype or a list."
    )


def test_a_serializer_not_allowed_is_refused_listing_what_is_allowed(configure, local_store):
    configure(f"file://{local_store}", threshold=0, allowed_types="pandas,json")
    with pytest.raises(TypeError) as info:
        push(np.zeros(2))
    assert str(info.value) == (
        f"XCom {WHERE} needs serializer 'numpy', which [xcomkit] allowed_types (json, pandas) does not "
        "allow; add it to AIRFLOW__XCOMKIT__ALLOWED_TYPES to accept such values."
    )


def test_max_size_is_refused_word_for_word_and_a_value_of_exactly_max_size_is_stored(configure, local_store):
    value = "x" * 98
    size = len(json.dumps(value))
    configure(f"file://{local_store}", threshold=0, max_size=size)
    assert pull(push(value)) == value
    configure(f"file://{local_store}", threshold=0, max_size=size - 1)
    with pytest.raises(ValueError) as info:
        push(value)
    assert str(info.value) == (
        f"XCom {WHERE}: the value is {size} bytes serialized, more than [xcomkit] max_size={size - 1}; "
        "nothing was written. Pass a smaller value (or a path to data you store yourself), or raise "
        "AIRFLOW__XCOMKIT__MAX_SIZE."
    )


def test_max_size_applies_to_an_array_and_to_a_dataframe(configure, local_store):
    configure(f"file://{local_store}", threshold=0, max_size=100)
    with pytest.raises(
        ValueError, match=r"the value is 208 bytes serialized, more than \[xcomkit\] max_size=100"
    ):
        push(np.arange(10.0))
    with pytest.raises(ValueError, match=r"max_size=100; nothing was written"):
        push(pd.DataFrame({"a": np.arange(1000)}))
    assert files(local_store) == []


class NotADict:
    def to_json_dict(self):
        return [1, 2]


def test_to_json_dict_returning_a_non_dict_is_refused_naming_both_types(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    with pytest.raises(TypeError) as info:
        push(NotADict())
    assert str(info.value) == f"XCom {WHERE}: NotADict.to_json_dict() returned list, not a dict"


def test_a_value_serde_cannot_encode_is_refused_naming_its_type(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    with pytest.raises(TypeError) as info:
        push({"x": object()})
    assert str(info.value).startswith(
        f"XCom {WHERE}: Airflow's serializer cannot store a value of type builtins.dict: "
    )
    configure(f"file://{local_store}", threshold=10**9)
    with pytest.raises(TypeError) as info:
        push(object())
    assert str(info.value).startswith(
        f"XCom {WHERE}: Airflow's serializer cannot store a value of type builtins.object: "
    )


@dataclasses.dataclass
class Point:
    x: int

    def to_json_dict(self):
        return {"not": "used"}


class Model(pydantic.BaseModel):
    x: int

    def to_json_dict(self):
        return {"not": "used"}


class WithToJsonDict:
    @staticmethod
    def to_json_dict():
        return {"used": True}


def test_to_json_dict_is_used_only_for_instances_serde_does_not_already_handle(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    # serde stores dataclasses and pydantic models as themselves, whatever to_json_dict() says.
    assert reference(push(Point(1))).serializer == "serde"
    assert reference(push(Model(x=1))).serializer == "serde"
    assert pull(push(WithToJsonDict())) == {"used": True}
    # The class itself is not a value with to_json_dict(): serde is asked, and refuses it.
    with pytest.raises(TypeError, match=r"cannot store a value of type builtins\.type"):
        push(WithToJsonDict)


def test_to_json_dict_needs_its_own_entry_in_allowed_types(configure, local_store):
    configure(f"file://{local_store}", threshold=0, allowed_types="json")
    with pytest.raises(TypeError, match="needs serializer 'json_dict'"):
        push(WithToJsonDict())
    configure(f"file://{local_store}", threshold=0, allowed_types="json,json_dict")
    assert reference(push(WithToJsonDict())).serializer == "json_dict"


# --- reads: refusals, fallbacks and failures ---------------------------------------------------


def edited(db_value, **fields):
    return {**db_value, "__data__": {**db_value["__data__"], **fields}}


def test_an_unknown_format_is_refused_naming_it(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push("x" * 50)
    path = reference(db_value).path
    with pytest.raises(XComKitError) as info:
        pull(edited(db_value, format="avro"))
    assert str(info.value) == (
        f"XCom object {path} has format 'avro', which this airflow-xcomkit does not know; upgrade it "
        "on this worker."
    )


def test_a_reference_whose_format_needs_another_serializer_is_checked_for_both(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push("x" * 50)
    configure(f"file://{local_store}", threshold=0, allowed_types="json")
    # Recorded as json, but stored in the serde format: serde must be allowed as well.
    with pytest.raises(TypeError) as info:
        pull(edited(db_value, format="serde"))
    assert str(info.value).startswith(f"XCom object {reference(db_value).path} needs serializer 'serde', ")


def test_a_location_outside_the_configuration_is_refused_word_for_word(configure, local_store, tmp_path):
    configure(f"file://{local_store}", threshold=0)
    db_value = push("x" * 50)
    other = tmp_path / "other" / "x.json"
    with pytest.raises(XComKitError) as info:
        pull(edited(db_value, path=f"file://{other}"))
    assert str(info.value) == (
        f"XCom reference to file://{other} is outside the configured locations "
        f"([common.io] xcom_objectstorage_path='file://{local_store}', [xcomkit] mirrors=[]); refused "
        "without reading it. A reference only this backend writes never points elsewhere: the row was "
        "edited, or the locations changed (add the old one to [xcomkit] mirrors to read it)."
    )


def test_an_hmac_reference_with_verification_off_is_read_without_the_key(configure, local_store):
    configure(f"file://{local_store}", threshold=0, integrity_key="k" * 32)
    db_value = push("x" * 50)
    configure(f"file://{local_store}", threshold=0, verify_integrity=False)
    assert pull(db_value) == "x" * 50
    configure(f"file://{local_store}", threshold=0)
    with pytest.raises(Exception, match="AIRFLOW__XCOMKIT__INTEGRITY_KEY to the same key"):
        pull(db_value)


def test_a_corrupted_primary_is_read_from_a_mirror_with_a_warning_naming_why(configure, tmp_path, caplog):
    primary, mirror = tmp_path / "p", tmp_path / "m"
    configure(f"file://{primary}", threshold=0, mirrors=[f"file://{mirror}"])
    for value in ("x" * 50, np.arange(4.0)):
        db_value = push(value)
        ref = reference(db_value)
        with open(local_file(ref.path), "r+b") as f:
            f.seek(ref.size - 1)
            f.write(b"\1")
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="airflow_xcomkit.backend"):
            got = pull(db_value)
        assert np.array_equal(got, value) if isinstance(value, np.ndarray) else got == value
        [record] = [r for r in caplog.records if "read XCom object from mirror" in r.getMessage()]
        assert record.getMessage() == (
            f"airflow-xcomkit: read XCom object from mirror {ref.mirrors[0]} because: {ref.path}: content "
            "does not match the recorded digest and size"
        )


def test_a_missing_object_everywhere_and_a_corrupted_one_are_told_apart(configure, tmp_path):
    primary, mirror = tmp_path / "p", tmp_path / "m"
    configure(f"file://{primary}", threshold=0, mirrors=[f"file://{mirror}"])
    for value in ("x" * 50, np.arange(4.0)):
        db_value = push(value)
        ref = reference(db_value)
        for url in ref.locations:
            with open(local_file(url), "ab") as f:
                f.write(b"!")
        with pytest.raises(XComIntegrityError) as info:
            pull(db_value)
        assert str(info.value) == (
            f"XCom object is corrupted at every location: {ref.path}: content does not match the "
            f"recorded digest and size; {ref.mirrors[0]}: content does not match the recorded digest and size"
        )
        # One copy corrupted, the other missing: corrupted wins, it is the one that needs attention.
        import os

        os.remove(local_file(ref.mirrors[0]))
        with pytest.raises(XComIntegrityError, match=f"{ref.mirrors[0]}: missing"):
            pull(db_value)
        os.remove(local_file(ref.path))
        with pytest.raises(XComObjectMissingError) as missing:
            pull(db_value)
        assert str(missing.value) == (
            f"XCom object is missing at every location: {ref.path}: missing; {ref.mirrors[0]}: missing"
        )


def test_an_object_that_is_a_directory_is_unreadable_not_missing(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push("x" * 50)
    ref = reference(db_value)
    import os

    os.remove(local_file(ref.path))
    os.mkdir(local_file(ref.path))
    with pytest.raises(XComKitError) as info:
        pull(db_value)
    assert type(info.value) is XComKitError
    assert str(info.value).startswith(
        f"XCom object could not be read from any location: {ref.path}: unreadable ("
    )


def test_a_payload_that_does_not_decode_names_the_object_format_and_compression(configure, local_store):
    configure(f"file://{local_store}", threshold=0, verify_integrity=False)
    db_value = push("x" * 50)
    ref = reference(db_value)
    with open(local_file(ref.path), "r+b") as f:
        f.write(b"{")
    with pytest.raises(XComIntegrityError) as info:
        pull(db_value)
    assert str(info.value).startswith(
        f"XCom object {ref.path} could not be decoded as json (compression None): JSONDecodeError: "
    )


def test_a_gzip_object_larger_than_recorded_names_the_object(configure, local_store):
    configure(f"file://{local_store}", threshold=0, compression="gzip", verify_integrity=False)
    db_value = push("x" * 500)
    ref = reference(db_value)
    with pytest.raises(XComIntegrityError) as info:
        pull(edited(db_value, raw_size=ref.raw_size - 1))
    assert str(info.value).startswith(f"XCom object {ref.path}: object decompresses (gzip) past the ")


def test_a_malformed_reference_fails_the_read_and_is_not_purged(configure, local_store, caplog):
    configure(f"file://{local_store}", threshold=0)
    db_value = push("x" * 50)
    broken = edited(db_value, size="big")
    with pytest.raises(XComKitError):
        pull(broken)
    with caplog.at_level(logging.WARNING, logger="airflow_xcomkit.backend"):
        XComKitBackend.purge(Row(broken))
    assert any(r.getMessage().startswith("Not purging XCom object: ") for r in caplog.records)
    assert len(files(local_store)) == 1


# --- objects the stock backend wrote -----------------------------------------------------------


def test_a_stock_path_outside_the_configuration_is_left_as_a_string(configure, local_store, tmp_path):
    configure(f"file://{local_store}", threshold=0)
    elsewhere = f"file://{tmp_path}/elsewhere/x.json"
    assert pull(elsewhere) == elsewhere
    assert pull("see https://example.invalid/x") == "see https://example.invalid/x"
    XComKitBackend.purge(Row(elsewhere))  # nothing to delete, nothing raised


def test_a_stock_object_is_refused_past_max_size_and_when_missing(configure, local_store):
    configure(f"file://{local_store}", threshold=0, max_size=10)
    (local_store / "big.json").write_text(json.dumps("x" * 20))
    with pytest.raises(XComIntegrityError) as info:
        pull(f"file://{local_store}/big.json")
    assert (
        str(info.value) == f"XCom object file://{local_store}/big.json is larger than [xcomkit] max_size=10"
    )
    (local_store / "ok.json").write_text(json.dumps("x" * 8))
    assert pull(f"file://{local_store}/ok.json") == "x" * 8
    with pytest.raises(XComObjectMissingError) as missing:
        pull(f"file://{local_store}/gone.json")
    assert str(missing.value).startswith(
        f"XCom object file://{local_store}/gone.json (written by the stock backend) is missing"
    )


def test_a_gzip_stock_object_is_read_within_max_size(configure, local_store):
    configure(f"file://{local_store}", threshold=0, max_size=1000)
    (local_store / "v.json.gz").write_bytes(gzip.compress(json.dumps(["a"] * 100).encode()))
    assert pull(f"file://{local_store}/v.json.gz") == ["a"] * 100
    (local_store / "bomb.json.gz").write_bytes(gzip.compress(json.dumps(["a"] * 1000).encode()))
    with pytest.raises(XComIntegrityError, match="past the 1000 bytes"):
        pull(f"file://{local_store}/bomb.json.gz")


# --- mirrors that fail -------------------------------------------------------------------------


def test_a_failed_mirror_is_recorded_and_logged_and_the_primary_is_read(configure, tmp_path, caplog):
    primary = tmp_path / "p"
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the mirror's directory should be")
    configure(f"file://{primary}", threshold=0, mirrors=[f"file://{blocked}/m"])
    with caplog.at_level(logging.WARNING, logger="airflow_xcomkit.backend"):
        db_value = push("x" * 50)
    ref = reference(db_value)
    assert ref.mirrors == [] and len(ref.failed_mirrors) == 1
    assert ref.failed_mirrors[0].startswith(f"file://{blocked}/m/")
    [record] = [r for r in caplog.records if "mirror write failed" in r.getMessage()]
    assert record.getMessage().startswith(
        f"airflow-xcomkit: mirror write failed for XCom {WHERE} at {ref.failed_mirrors[0]} ("
    )
    assert record.getMessage().endswith(
        f"the primary copy at {ref.path} is intact and the reference lists this mirror under failed_mirrors."
    )
    assert pull(db_value) == "x" * 50


def test_purge_skips_a_location_outside_the_configuration_and_deletes_the_rest(
    configure, local_store, tmp_path, caplog
):
    configure(f"file://{local_store}", threshold=0)
    db_value = push("x" * 50)
    inside = reference(db_value).path
    outside = tmp_path / "outside.json"
    outside.write_text("keep")
    forged = edited(db_value, path=f"file://{outside}", mirrors=[inside])
    with caplog.at_level(logging.WARNING, logger="airflow_xcomkit.backend"):
        XComKitBackend.purge(Row(forged))
    assert outside.read_text() == "keep"
    assert files(local_store) == []
    assert any(
        r.getMessage().startswith(f"Not purging XCom object file://{outside}: it is outside")
        for r in caplog.records
    )


def test_a_dataframe_parquet_cannot_hold_is_refused_naming_the_task_and_leaves_nothing(
    configure, local_store
):
    configure(f"file://{local_store}", threshold=0)
    frame = pd.DataFrame({"mixed": [{"a": 1}, 2, "three"]})
    with pytest.raises(TypeError) as info:
        push(frame)
    assert str(info.value).startswith(f"XCom {WHERE}: cannot write the DataFrame as Parquet: ")
    assert files(local_store) == []


def test_a_dataframe_larger_than_a_block_but_below_the_threshold_stays_in_the_database(
    configure, local_store
):
    from airflow_xcomkit.reference import StoredXCom
    from airflow_xcomkit.storage import BLOCK_SIZE

    # The sink holds up to the threshold (not just one block) before it opens the locations, so a
    # Parquet of 1.5 blocks under a 3-block threshold is still decided by its size: the DB, as stock.
    configure(f"file://{local_store}", threshold=3 * BLOCK_SIZE)
    frame = pd.DataFrame({"x": np.random.default_rng(3).random(BLOCK_SIZE * 3 // 2 // 8)})
    db_value = push(frame)
    assert StoredXCom.from_json(db_value) is None
    assert files(local_store) == []
    pd.testing.assert_frame_equal(pull(db_value), frame)
