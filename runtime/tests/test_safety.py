"""Safe on every path: forged and bombed references, keyed digests, allowed_types on read, max_size."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from airflow_xcomkit import check_pyarrow
from airflow_xcomkit.backend import is_internal_key
from airflow_xcomkit.errors import XComIntegrityError, XComKitConfigError, XComKitError
from helpers import local_file, pull, push, reference


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def forged(db_value: dict, **changes) -> dict:
    return {**db_value, "__data__": {**db_value["__data__"], **changes}}


def test_a_reference_moved_outside_the_configured_path_is_refused_without_reading_it(
    configure, local_store, tmp_path
):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"secret": "s" * 100})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / "copy.json"
    shutil.copy(local_file(reference(db_value).path), copy)  # same bytes: the digest would match
    with pytest.raises(XComKitError, match="outside the configured locations") as err:
        pull(forged(db_value, path=f"file://{copy}"))
    message = str(err.value)
    assert f"file://{local_store}" in message  # names the configured location
    # Nothing about the object it points at leaks: not its digest, not its size. (The size alone
    # is a short number that can occur in the temporary path the message names, so look for it
    # the way a size would be printed.)
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    size = copy.stat().st_size
    assert digest not in message and "sha256" not in message.lower()
    assert f"{size} bytes" not in message and f"size {size}" not in message and f"size={size}" not in message


@pytest.mark.parametrize(
    "suffix",
    ["/../elsewhere/copy.json", "/./x/../../elsewhere/copy.json", "/%2e%2e/elsewhere/copy.json", "//x.json"],
)
def test_a_reference_that_climbs_out_by_any_spelling_is_refused(configure, local_store, suffix):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"a": 1})
    with pytest.raises(XComKitError, match="outside the configured locations"):
        pull(forged(db_value, path=f"file://{local_store}{suffix}"))


def test_a_forged_mirror_outside_the_configured_locations_is_refused(configure, local_store, tmp_path):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"a": 1})
    with pytest.raises(XComKitError, match="outside the configured locations"):
        pull(forged(db_value, mirrors=[f"file://{tmp_path}/other.json"]))


def test_a_digest_mismatch_names_the_object_but_nothing_about_what_sits_there(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    db_value = push({"balance": 100})
    path = local_file(reference(db_value).path)
    planted = b'{"balance": 999}'
    with open(path, "wb") as f:
        f.write(planted)
    with pytest.raises(XComIntegrityError) as err:
        pull(db_value)
    message = str(err.value)
    assert reference(db_value).path in message and "does not match" in message
    assert hashlib.sha256(planted).hexdigest() not in message


def test_with_a_key_an_object_planted_by_someone_without_it_is_refused(configure, local_store):
    # Whoever can write to the bucket but not to the DB cannot produce bytes matching the HMAC.
    configure(f"file://{local_store}", threshold=0, integrity_key="x" * 32)
    db_value = push({"balance": 100})
    assert db_value["__data__"]["digest"].startswith("hmac-sha256:")
    with open(local_file(reference(db_value).path), "wb") as f:
        f.write(b'{"balance": 999}')
    with pytest.raises(XComIntegrityError, match="does not match"):
        pull(db_value)


def test_an_hmac_reference_without_the_key_configured_fails_naming_the_option(configure, local_store):
    configure(f"file://{local_store}", threshold=0, integrity_key="x" * 32)
    db_value = push({"a": 1})
    configure(f"file://{local_store}", threshold=0)
    with pytest.raises(XComKitConfigError, match="integrity_key"):
        pull(db_value)


def test_a_gzip_bomb_planted_behind_a_reference_is_not_inflated(configure, local_store):
    configure(f"file://{local_store}", threshold=0, compression="gzip", verify_integrity=False)
    db_value = push({"a": "b" * 100})
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB of JSON whitespace
    path = local_file(reference(db_value).path)
    with open(path, "wb") as f:
        f.write(bomb)
    # The recorded size does not match, so the bytes are refused before anything is inflated...
    with pytest.raises(XComIntegrityError, match="does not match"):
        pull(db_value)
    # ...and even with the size forged to match, inflation stops at the recorded raw size.
    with pytest.raises(XComIntegrityError, match=r"past the \d+ bytes recorded"):
        pull(forged(db_value, size=len(bomb)))


def test_a_parquet_bomb_claiming_more_than_the_recorded_size_is_refused(configure, local_store):
    configure(f"file://{local_store}", threshold=0, verify_integrity=False)
    db_value = push(pd.DataFrame({"a": [1, 2, 3]}))
    big = pd.DataFrame({"a": np.zeros(2_000_000, dtype="int64")})
    path = local_file(reference(db_value).path)
    big.to_parquet(path, compression="zstd")
    with pytest.raises(XComIntegrityError, match="uncompressed bytes"):
        pull(forged(db_value, size=os.path.getsize(path)))


def test_allowed_types_is_applied_on_read_as_on_write(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    frame_ref, array_ref = push(pd.DataFrame({"a": [1]}), key="f"), push(np.arange(3), key="arr")
    configure(f"file://{local_store}", threshold=0, allowed_types="json,serde")
    with pytest.raises(TypeError, match="allowed_types"):
        pull(frame_ref)
    with pytest.raises(TypeError, match="allowed_types"):
        pull(array_ref)
    # A reference forged to claim an allowed serializer for a Parquet object is still refused.
    with pytest.raises(TypeError, match="allowed_types"):
        pull(forged(frame_ref, serializer="json"))


def test_max_size_fails_the_push_before_anything_is_written_naming_task_key_size_and_limit(
    configure, local_store
):
    configure(f"file://{local_store}", threshold=0, max_size=1000)
    for value in (
        {"pad": "x" * 2000},
        np.zeros(1000),
        pd.DataFrame({"a": np.random.default_rng(0).random(5000)}),
    ):
        with pytest.raises(ValueError, match="max_size=1000") as err:
            push(value, key="big")
        message = str(err.value)
        assert "extract" in message and "'big'" in message and "bytes" in message
    assert stored_files(local_store) == []
    assert pull(push({"small": 1})) == {"small": 1}


@pytest.mark.parametrize("raw", ["0", "-5", "1kb"])
def test_an_invalid_max_size_is_refused_naming_the_option(configure, local_store, raw):
    from airflow_xcomkit.config import get_settings

    configure(f"file://{local_store}", threshold=0, max_size=raw)
    with pytest.raises(XComKitConfigError, match=r"\[xcomkit\] max_size"):
        get_settings()


def test_a_short_integrity_key_is_refused(configure, local_store):
    from airflow_xcomkit.config import get_settings

    configure(f"file://{local_store}", threshold=0, integrity_key="short")
    with pytest.raises(XComKitConfigError, match="integrity_key"):
        get_settings()


@pytest.mark.parametrize("key", ["skipmixin_key", "trigger_run_id", "_link_BigQueryConsoleLink"])
def test_airflows_own_keys_always_stay_in_the_database(configure, local_store, key):
    configure(f"file://{local_store}", threshold=0)
    value = {"followed": ["a"]} if key == "skipmixin_key" else "x" * 200
    assert is_internal_key(key)
    assert push(value, key=key) == value
    assert stored_files(local_store) == []


@pytest.mark.parametrize(
    ("version", "refused"),
    [
        ("14.0.0", True),
        ("13.0.0", True),
        ("9.0", True),
        ("14.0.1", False),
        ("14.0.2", False),
        ("26.0.1", False),
    ],
)
def test_pyarrow_before_14_0_1_is_refused(version, refused):
    if refused:
        with pytest.raises(ImportError, match="CVE-2023-47248"):
            check_pyarrow(version)
    else:
        check_pyarrow(version)


def test_importing_the_package_with_pyarrow_14_0_0_installed_fails_with_the_fix(tmp_path):
    dist = tmp_path / "pyarrow-14.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pyarrow\nVersion: 14.0.0\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", "import airflow_xcomkit"], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode != 0
    assert "pyarrow 14.0.0" in out.stderr and "pip install 'pyarrow>=14.0.1'" in out.stderr
