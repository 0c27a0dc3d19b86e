"""Values larger than a block, streamed to the GCS emulator and to Azurite.

gcsfs writes them as one resumable upload (a session, then one request per 8 MiB part, the last
one finalizing the object); adlfs stages one block per part and commits the block list on close.
Both emulators implement those calls, so the whole multi-part path is exercised: the bytes, the
digest computed while writing, the recorded size, the read in ranges, and what a stream that fails
or crosses ``max_size`` leaves behind (nothing visible, and an earlier XCom still readable).
"""

from __future__ import annotations

import hashlib
import io
import json
import urllib.parse
import urllib.request

import numpy as np
import pandas as pd
import pytest

from airflow_xcomkit import formats, storage
from airflow_xcomkit.backend import XComKitBackend
from airflow_xcomkit.storage import BLOCK_SIZE
from conftest import AZURE_CONN, BUCKET, GCS_CONN
from helpers import Row, pull, push, reference
from servers import azurite_connection_string
from test_backend_cloud import azure_names, gcs_names, key_of

#: 20 MiB: two full parts and a partial one.
BIG = 20 * 2**20


def big_array(seed: int = 11) -> np.ndarray:
    return np.random.default_rng(seed).random(BIG // 8)  # random floats: nothing compresses


def gcs_bytes(server, name: str) -> bytes:
    quoted = urllib.parse.quote(name, safe="")
    url = f"{server.url}/download/storage/v1/b/{BUCKET}/o/{quoted}?alt=media"
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def azure_bytes(server, name: str) -> bytes:
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_connection_string(azurite_connection_string(server.port), BUCKET)
    return client.download_blob(name).readall()


def azure_uncommitted(server, prefix: str) -> list[str]:
    """Blobs that have staged blocks but were never committed: invisible to every reader and lister.

    Azure has no call that removes staged blocks of a blob that was never committed; it discards
    them itself after seven days (and the kit's lifecycle rule covers nothing here, since there is
    no blob). Committing an empty list and deleting the result would remove them sooner, at the
    cost of an empty object visible under the final name for a moment, which the kit never allows.
    """
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_connection_string(azurite_connection_string(server.port), BUCKET)
    names = []
    for blob in client.list_blobs(name_starts_with=prefix, include=["uncommittedblobs"]):
        committed = {b.name for b in client.list_blobs(name_starts_with=blob.name)}
        if blob.name not in committed:
            names.append(blob.name)
    return names


def assert_only_staged_blocks_of_the_failed_push(staged: list[str], key: str) -> None:
    # GCS: none (a cancelled resumable upload). Azure: at most the failed push's own blob name,
    # with blocks that no reader sees (see azure_uncommitted).
    assert len(staged) <= 1 and all(f"/{key}-" in name for name in staged), staged


@pytest.fixture
def parts(monkeypatch) -> list[int]:
    """The size of every part a stream hands to the client (a spy: the real write still runs)."""
    sizes: list[int] = []
    original = storage.ObjectStream.write

    def write(self, data):
        sizes.append(memoryview(data).nbytes)
        return original(self, data)

    monkeypatch.setattr(storage.ObjectStream, "write", write)
    return sizes


@pytest.fixture(params=["gcs", "azure"])
def store(request, configure):
    """(scheme URL of the prefix, names under it, bytes of an object, uncommitted names)."""
    prefix = f"xcom/{request.node.name.replace('[', '-').replace(']', '')}"
    if request.param == "gcs":
        server = request.getfixturevalue("gcs_server")
        base = f"gs://{GCS_CONN}@{BUCKET}/{prefix}"
        names = lambda: gcs_names(server, prefix)  # noqa: E731
        content = lambda name: gcs_bytes(server, name)  # noqa: E731
        uncommitted = lambda: []  # noqa: E731 - a resumable upload is no object until finalized
    else:
        server = request.getfixturevalue("azure_server")
        base = f"abfs://{AZURE_CONN}@{BUCKET}/{prefix}"
        names = lambda: azure_names(server, prefix)  # noqa: E731
        content = lambda name: azure_bytes(server, name)  # noqa: E731
        uncommitted = lambda: azure_uncommitted(server, prefix)  # noqa: E731
    return base, names, content, uncommitted


def test_a_value_larger_than_a_block_streams_in_parts_and_reads_back_intact(store, configure, parts):
    base, names, content, _ = store
    configure(base, threshold=0)
    array = big_array()
    db_value = push(array)
    ref = reference(db_value)

    assert parts == [BLOCK_SIZE, BLOCK_SIZE, formats.npy_size(array) - 2 * BLOCK_SIZE]
    assert names() == [key_of(ref.path)]
    stored = content(key_of(ref.path))
    assert ref.size == len(stored) == formats.npy_size(array)
    assert ref.digest == "sha256:" + hashlib.sha256(stored).hexdigest()
    assert np.load(io.BytesIO(stored), allow_pickle=False).tobytes() == array.tobytes()
    np.testing.assert_array_equal(pull(db_value), array)

    XComKitBackend.purge(Row(db_value))
    assert names() == []


def test_a_keyed_digest_of_a_streamed_value_is_the_hmac_of_the_stored_bytes(store, configure):
    import hmac

    base, _, content, _ = store
    configure(base, threshold=0, integrity_key="streaming-test-key")
    payload = {"rows": [{"id": i, "text": f"row {i:08d}"} for i in range(BIG // 30)]}  # ~20 MiB of JSON
    db_value = push(payload)
    ref = reference(db_value)
    stored = content(key_of(ref.path))
    assert ref.size == len(stored) > 2 * BLOCK_SIZE
    expected = hmac.new(b"streaming-test-key", stored, hashlib.sha256).hexdigest()
    assert ref.digest == "hmac-sha256:" + expected
    assert json.loads(stored) == payload
    assert pull(db_value) == payload
    XComKitBackend.purge(Row(db_value))


def test_a_stream_that_fails_after_two_parts_leaves_nothing_and_the_earlier_xcom_intact(
    store, configure, parts, monkeypatch
):
    base, names, _, uncommitted = store
    configure(base, threshold=0)
    earlier = push({"kept": True}, key="earlier")
    original = formats.write_npy

    def fails_midway(array, sink):
        sink.write(array.tobytes()[: 2 * BLOCK_SIZE + 1])  # two parts reach the server first
        raise RuntimeError("worker interrupted while serializing")

    monkeypatch.setattr(formats, "write_npy", fails_midway)
    with pytest.raises(RuntimeError, match="interrupted"):
        push(big_array(), key="big")
    monkeypatch.setattr(formats, "write_npy", original)

    assert parts == [BLOCK_SIZE, BLOCK_SIZE]  # the failure came mid-stream, after real uploads
    assert names() == [key_of(reference(earlier).path)]
    assert_only_staged_blocks_of_the_failed_push(uncommitted(), "big")
    assert pull(earlier) == {"kept": True}
    XComKitBackend.purge(Row(earlier))


def test_crossing_max_size_mid_stream_abandons_the_upload_and_keeps_the_earlier_xcom(store, configure, parts):
    base, names, _, uncommitted = store
    limit = 2 * BLOCK_SIZE + BLOCK_SIZE // 2
    configure(base, threshold=0, max_size=limit)
    earlier = push({"kept": True}, key="earlier")
    frame = pd.DataFrame({"x": np.random.default_rng(5).random(2 * BIG // 8)})  # ~40 MiB
    with pytest.raises(ValueError, match=f"max_size={limit}") as err:
        push(frame, key="big")  # Parquet: its size is known only while it is written
    assert "'big'" in str(err.value) and "nothing was written" in str(err.value)
    assert len(parts) == 2  # two parts were uploaded before the limit was crossed
    assert names() == [key_of(reference(earlier).path)]
    assert_only_staged_blocks_of_the_failed_push(uncommitted(), "big")
    assert pull(earlier) == {"kept": True}
    XComKitBackend.purge(Row(earlier))
