"""An upload the server refuses fails the push: no reference, no row, no object, no upload left open.

The server is moto with IAM enforcement and a user whose policy allows everything on the bucket but
``s3:PutObject`` (which also covers the multipart calls), so the stock backend's probes succeed and
only the write itself is refused, as with a bucket policy or a KMS key that denies the worker.
"""

from __future__ import annotations

import gc
import json
import sys

import numpy as np
import pytest

from conftest import BUCKET
from helpers import push
from servers import moto_server
from test_dags import run_dag, xcom_rows

DENIED_CONN = "aws_denied_put"


@pytest.fixture(scope="module")
def denied_s3():
    import boto3

    with moto_server() as server, pytest.MonkeyPatch.context() as mp:
        kw = {
            "endpoint_url": server.url,
            "region_name": "us-east-1",
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        boto3.client("s3", **kw).create_bucket(Bucket=BUCKET)
        iam = boto3.client("iam", **kw)
        iam.create_user(UserName="worker")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                },
                {"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
            ],
        }
        iam.put_user_policy(UserName="worker", PolicyName="no-put", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="worker")["AccessKey"]
        mp.setenv(
            f"AIRFLOW_CONN_{DENIED_CONN.upper()}",
            json.dumps(
                {
                    "conn_type": "aws",
                    "login": key["AccessKeyId"],
                    "password": key["SecretAccessKey"],
                    "extra": {"region_name": "us-east-1", "endpoint_url": server.url},
                }
            ),
        )
        server.enforce_iam()
        client = boto3.client(
            "s3",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
        yield server, client


def listing(client, prefix: str) -> tuple[list[str], list[str]]:
    """(object keys, open multipart uploads) under the prefix, read with the worker's own rights."""
    objects = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    uploads = client.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix).get("Uploads", [])
    return [o["Key"] for o in objects], [u["Key"] for u in uploads]


@pytest.mark.parametrize(
    ("value", "compression"),
    [
        ({"rows": list(range(2000))}, "gzip"),  # the case the stock backend loses
        ({"rows": list(range(2000))}, ""),
        (np.zeros(2 * 2**20), ""),  # 16 MiB: a streamed multipart upload
    ],
    ids=["json-gzip", "json", "array-multipart"],
)
def test_a_refused_upload_raises_from_serialize_value_and_leaves_nothing(
    denied_s3, configure, request, value, compression
):
    _server, client = denied_s3
    prefix = f"xcom/{request.node.callspec.id}"
    configure(f"s3://{DENIED_CONN}@{BUCKET}/{prefix}", threshold=0, compression=compression)
    result = "not returned"
    with pytest.raises(PermissionError):
        result = push(value)
    assert result == "not returned"  # no reference for Airflow to store
    gc.collect()  # nothing is left for a garbage-collected file object to upload later
    assert listing(client, prefix) == ([], [])


def test_the_stock_backend_returns_a_path_to_an_object_it_never_wrote_when_compression_is_on(
    denied_s3, configure, monkeypatch
):
    # Evidence for the README: the stock backend writes through fsspec's compression wrapper, which
    # never closes the S3 file; the upload runs when the file is garbage collected, and its error is
    # printed as "Exception ignored" instead of raised.
    from airflow.providers.common.io.xcom import backend as stock

    _server, client = denied_s3
    prefix = "xcom/stock"
    configure(f"s3://{DENIED_CONN}@{BUCKET}/{prefix}", threshold=0, compression="gzip")
    for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
        fn.cache_clear()
    ignored: list[BaseException] = []  # what Python prints as "Exception ignored in: ... __del__"
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: ignored.append(unraisable.exc_value))
    try:
        path = stock.XComObjectStorageBackend.serialize_value(
            {"rows": list(range(2000))}, key="k", dag_id="d", run_id="r", task_id="t"
        )
        gc.collect()
    finally:
        for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
            fn.cache_clear()
    assert isinstance(path, str) and path.startswith(f"s3://{DENIED_CONN}@{BUCKET}/{prefix}/")
    assert [type(e) for e in ignored] == [PermissionError]  # the refused upload, swallowed
    assert listing(client, prefix) == ([], [])  # the path it returned names nothing


@pytest.mark.usefixtures("airflow_db")
def test_a_task_whose_upload_is_refused_fails_and_leaves_no_xcom_row(denied_s3, configure, airflow_db):
    _server, client = denied_s3
    prefix = "xcom/dag"
    configure(f"s3://{DENIED_CONN}@{BUCKET}/{prefix}", threshold=1000, compression="gzip")
    run = run_dag("xcomkit_types")
    assert run.state == "failed"
    rows = xcom_rows(airflow_db, run)
    assert ("make_dict", -1, "return_value") not in rows
    assert ("make_frame", -1, "return_value") not in rows
    assert rows[("make_small", -1, "return_value")] == {"rows": 1}  # below the threshold: in the DB
    assert listing(client, prefix) == ([], [])
