"""Backend behaviour against real local servers: moto (S3), a GCS emulator and Azurite (Azure Blob)."""

from __future__ import annotations

import json
import logging
import urllib.request

import pandas as pd
import pytest

from airflow_xcomkit.backend import XComKitBackend
from airflow_xcomkit.errors import XComIntegrityError
from conftest import AZURE_CONN, BUCKET, GCS_CONN, S3_CONN
from helpers import Row, pull, push, reference
from servers import azurite_connection_string, free_port


def s3_keys(server, prefix: str) -> list[str]:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def s3_client(server):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def gcs_names(server, prefix: str) -> list[str]:
    url = f"{server.url}/storage/v1/b/{BUCKET}/o?prefix={prefix}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return sorted(item["name"] for item in json.load(response).get("items", []))


def azure_names(server, prefix: str) -> list[str]:
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_connection_string(azurite_connection_string(server.port), BUCKET)
    return sorted(b.name for b in client.list_blobs(name_starts_with=prefix))


def key_of(url: str) -> str:
    """The object key (path inside the bucket) of a <scheme>://<conn>@<bucket>/<key> URL."""
    return url.split("://", 1)[1].split("/", 1)[1]


def test_s3_stores_reads_and_purges_a_dataframe_and_a_dict(s3):
    server, prefix = s3
    frame = pd.DataFrame({"a": range(100), "b": [f"row {i}" for i in range(100)]})
    frame_ref, dict_ref = push(frame, key="frame"), push({"k": "v" * 500}, key="meta")
    keys = s3_keys(server, prefix)
    assert keys == sorted([key_of(reference(frame_ref).path), key_of(reference(dict_ref).path)])
    assert reference(frame_ref).path.startswith(f"s3://{S3_CONN}@{BUCKET}/{prefix}/etl/")
    pd.testing.assert_frame_equal(pull(frame_ref), frame)
    assert pull(dict_ref) == {"k": "v" * 500}
    XComKitBackend.purge(Row(frame_ref))
    XComKitBackend.purge(Row(dict_ref))
    assert s3_keys(server, prefix) == []


def test_gcs_stores_reads_and_purges_through_the_emulator(gcs_server, configure, request):
    prefix = f"xcom/{request.node.name}"
    configure(f"gs://{GCS_CONN}@{BUCKET}/{prefix}", threshold=0, compression="gzip")
    db_value = push({"rows": list(range(50))})
    ref = reference(db_value)
    assert gcs_names(gcs_server, prefix) == [key_of(ref.path)]
    assert ref.path.endswith(".json.gz")
    assert pull(db_value) == {"rows": list(range(50))}
    XComKitBackend.purge(Row(db_value))
    assert gcs_names(gcs_server, prefix) == []


def test_azure_blob_stores_reads_and_purges_through_azurite(azure_server, configure, request):
    prefix = f"xcom/{request.node.name}"
    configure(f"abfs://{AZURE_CONN}@{BUCKET}/{prefix}", threshold=0)
    frame = pd.DataFrame({"x": [1.5, 2.5]})
    db_value = push(frame)
    ref = reference(db_value)
    assert azure_names(azure_server, prefix) == [key_of(ref.path)]
    pd.testing.assert_frame_equal(pull(db_value), frame)
    XComKitBackend.purge(Row(db_value))
    assert azure_names(azure_server, prefix) == []


def test_an_s3_primary_with_a_gcs_mirror_writes_both_and_purges_both(
    s3_server, gcs_server, configure, request
):
    prefix = f"xcom/{request.node.name}"
    configure(
        f"s3://{S3_CONN}@{BUCKET}/{prefix}",
        threshold=0,
        mirrors=[f"gs://{GCS_CONN}@{BUCKET}/{prefix}"],
    )
    db_value = push({"a": 1})
    ref = reference(db_value)
    assert ref.failed_mirrors == []
    assert s3_keys(s3_server, prefix) == [key_of(ref.path)]
    assert gcs_names(gcs_server, prefix) == [key_of(ref.mirrors[0])]
    assert key_of(ref.path) == key_of(ref.mirrors[0])
    XComKitBackend.purge(Row(db_value))
    assert s3_keys(s3_server, prefix) == []
    assert gcs_names(gcs_server, prefix) == []


def test_a_read_falls_back_to_the_mirror_when_the_primary_object_is_gone_or_corrupted(
    s3_server, gcs_server, configure, request, caplog
):
    prefix = f"xcom/{request.node.name}"
    configure(
        f"s3://{S3_CONN}@{BUCKET}/{prefix}",
        threshold=0,
        mirrors=[f"gs://{GCS_CONN}@{BUCKET}/{prefix}"],
    )
    frame = pd.DataFrame({"v": [1, 2, 3]})
    gone, corrupted = push(frame, key="gone"), push(frame, key="corrupted")
    s3 = s3_client(s3_server)
    s3.delete_object(Bucket=BUCKET, Key=key_of(reference(gone).path))
    s3.put_object(Bucket=BUCKET, Key=key_of(reference(corrupted).path), Body=b"PAR1 garbage")
    with caplog.at_level(logging.WARNING):
        pd.testing.assert_frame_equal(pull(gone), frame)
        pd.testing.assert_frame_equal(pull(corrupted), frame)
    assert "missing" in caplog.text and "does not match" in caplog.text


def test_corruption_on_s3_without_a_mirror_raises_an_integrity_error(s3):
    server, _prefix = s3
    db_value = push({"amount": 10})
    s3_client(server).put_object(Bucket=BUCKET, Key=key_of(reference(db_value).path), Body=b'{"amount":1}')
    with pytest.raises(XComIntegrityError, match="does not match"):
        pull(db_value)


def test_a_mirror_that_is_down_is_logged_and_reported_and_the_primary_is_kept(
    s3_server, configure, request, caplog, monkeypatch
):
    # A second S3 connection whose endpoint is a loopback port nothing listens on.
    down = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv(
        "AIRFLOW_CONN_AWS_DOWN",
        json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {
                    "region_name": "us-east-1",
                    "endpoint_url": down,
                    "config_kwargs": {"connect_timeout": 1, "retries": {"max_attempts": 1}},
                },
            }
        ),
    )
    prefix = f"xcom/{request.node.name}"
    mirror = f"s3://aws_down@{BUCKET}/{prefix}"
    configure(f"s3://{S3_CONN}@{BUCKET}/{prefix}", threshold=0, mirrors=[mirror])
    with caplog.at_level(logging.WARNING):
        db_value = push({"a": 1})
    ref = reference(db_value)
    assert ref.mirrors == []
    assert len(ref.failed_mirrors) == 1 and ref.failed_mirrors[0].startswith(mirror + "/")
    assert "mirror write failed" in caplog.text
    assert s3_keys(s3_server, prefix) == [key_of(ref.path)]
    assert pull(db_value) == {"a": 1}
    XComKitBackend.purge(Row(db_value))  # the unreachable mirror only logs
    assert s3_keys(s3_server, prefix) == []


def test_200_concurrent_pushes_to_s3_are_200_distinct_objects(s3):
    from concurrent.futures import ThreadPoolExecutor

    server, prefix = s3
    with ThreadPoolExecutor(max_workers=16) as pool:
        db_values = list(pool.map(lambda i: push({"i": i}, key="same"), range(200)))
    assert len({reference(v).path for v in db_values}) == 200
    assert len(s3_keys(server, prefix)) == 200
    with ThreadPoolExecutor(max_workers=16) as pool:
        values = list(pool.map(pull, db_values))
    assert [v["i"] for v in values] == list(range(200))


def _new_requests(server, before: int, at_least: int) -> list[tuple[str, str]]:
    # The access log line is written as the response goes out: wait (bounded) for it to land.
    import time

    deadline = time.monotonic() + 10
    while True:
        found = server.requests()[before:]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_a_push_to_s3_is_one_put_and_a_pull_one_get(s3):
    server, _prefix = s3
    push({"warm": "up"})  # the first use of a connection resolves it; count steady-state requests
    for value in (
        {"k": "v" * 500},
        pd.DataFrame({"a": range(1000)}),
        {"when": __import__("datetime").date(2024, 1, 1)},
    ):
        before = len(server.requests())
        db_value = push(value)
        writes = _new_requests(server, before, 1)
        assert [m for m, _ in writes] == ["PUT"], writes
        assert writes[0][1].endswith(key_of(reference(db_value).path).split("/")[-1])
        before = len(server.requests())
        pull(db_value)
        assert [m for m, _ in _new_requests(server, before, 1)] == ["GET"]


def test_the_stock_backend_needs_more_requests_per_push_than_this_one(s3, monkeypatch):
    # Documents the comparison in the README: the stock backend probes before it writes.
    from airflow.providers.common.io.xcom import backend as stock

    server, _prefix = s3
    for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
        fn.cache_clear()
    try:
        stock.XComObjectStorageBackend.serialize_value(
            {"warm": "up"}, key="k", dag_id="d", run_id="r", task_id="t"
        )
        before = len(server.requests())
        stock.XComObjectStorageBackend.serialize_value(
            {"k": "v" * 500}, key="k", dag_id="d", run_id="r", task_id="t"
        )
        requests = _new_requests(server, before, 2)
    finally:
        for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
            fn.cache_clear()
    assert len(requests) > 1 and requests[-1][0] == "PUT", requests
