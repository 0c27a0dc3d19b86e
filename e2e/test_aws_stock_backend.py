"""The kit's promise on AWS, end to end.

The env vars ``xcomkit env`` emits from the stack's binding, and the least-privilege policy the AWS
stack synthesizes, together let a real Airflow with the stock
``XComObjectStorageBackend`` push and pull XComs through s3fs, and nothing more. moto enforces IAM
on every request after setup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import (
    DAG_ID,
    Aws,
    DagRunResult,
    read_xcomkit_env,
    run_dag,
    secrets_reader_env,
)
from localcloud.aws import Credentials
from roundtrip import (
    assert_large_object,
    assert_runtime_references,
    assert_stock_references,
    dag_module,
    json_size,
    runtime_new_keys,
    stock_run_keys,
    xcom_rows,
)

STOCK_BACKEND = "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend"
RUNTIME_BACKEND = "airflow_xcomkit.backend.XComKitBackend"


def _all_keys(aws: Aws) -> list[str]:
    s3 = aws.admin.client("s3", aws.url)
    return [
        o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=aws.bucket) for o in page.get("Contents", [])
    ]


def _error_code(call) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


def _assert_access_denied(call) -> None:
    """HTTP 403 with moto's AccessDenied body (for JSON-protocol services moto answers in XML, so
    botocore reports the code as "403" and the message names the action)."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403, response
    assert "AccessDenied" in response["Error"]["Code"] or "not authorized" in str(raised.value), response


@pytest.fixture(scope="session")
def stock_run(aws: Aws, stock_env: dict[str, str], airflow_home: Path) -> DagRunResult:
    return run_dag(airflow_home, stock_env, secrets_reader_env(aws))


# --- what the stack and xcomkit hand to Airflow ---------------------------------------------------


def test_xcomkit_emits_the_stock_backend_and_the_secrets_backend_for_the_binding(aws: Aws, stock_env):
    binding = json.loads(aws.template.resolve(aws.template.output("AirflowBinding")))
    assert stock_env["AIRFLOW__CORE__XCOM_BACKEND"] == STOCK_BACKEND
    assert stock_env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH"] == f"s3://aws_xcoms@{aws.bucket}/xcom"
    assert stock_env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD"] == str(binding["xcom"]["threshold"])
    assert stock_env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION"] == binding["xcom"]["compression"]
    assert stock_env["AIRFLOW__SECRETS__BACKEND"].endswith("secrets_manager.SecretsManagerBackend")
    kwargs = json.loads(stock_env["AIRFLOW__SECRETS__BACKEND_KWARGS"])
    assert kwargs["connections_prefix"] + "/aws_xcoms" == aws.deployed["secret_name"]
    # No credential in what xcomkit writes without --resolve-secrets.
    assert not any(k.startswith("AIRFLOW_CONN_") for k in stock_env)
    assert aws.deployed["xcom_user"].secret_access_key not in json.dumps(stock_env)


def test_the_secret_is_the_stacks_connection_plus_only_the_test_endpoint(aws: Aws):
    stack, stored = aws.deployed["stack_connection"], aws.deployed["connection"]
    assert stack["conn_type"] == "aws" and stack["login"] == aws.xcom_user.access_key_id
    assert {**stored, "extra": {k: v for k, v in stored["extra"].items() if k != "endpoint_url"}} == stack
    assert stored["extra"]["endpoint_url"] == aws.url


# --- the round trip -------------------------------------------------------------------------------


def test_airflow_pushes_and_pulls_both_xcoms_through_s3(stock_run: DagRunResult):
    assert stock_run.state == "success", stock_run.output


def test_the_stored_values_are_in_s3_under_the_prefix_gzip_compressed(aws: Aws, stock_run, stock_env):
    dag = dag_module()
    threshold = int(stock_env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD"])
    assert json_size(dag.SMALL) < threshold <= min(json_size(dag.LARGE), json_size(dag.DICT))
    run_keys = stock_run_keys(_all_keys(aws), "xcom", stock_run.run_id)
    large_key = next(k for k in run_keys if k.split("/")[3] == "push_large")
    body = aws.admin.client("s3", aws.url).get_object(Bucket=aws.bucket, Key=large_key)["Body"].read()
    assert_large_object(body, dag.LARGE)


def test_the_db_holds_the_references_and_the_small_value(aws: Aws, stock_run, airflow_home):
    rows = xcom_rows(airflow_home, stock_run.run_id)
    assert_stock_references(rows, f"s3://aws_xcoms@{aws.bucket}/xcom", stock_run.run_id, dag_module().SMALL)


# --- and nothing more ----------------------------------------------------------------------------


def test_enforcement_is_live(aws: Aws):
    stranger = Credentials("AKIAIOSFODNN7EXAMPLE", "not-a-key")
    code = _error_code(lambda: stranger.client("s3", aws.url).list_objects_v2(Bucket=aws.bucket))
    assert code in {"InvalidAccessKeyId", "InvalidClientTokenId", "AccessDenied"}


def test_the_xcom_user_can_use_its_prefix(aws: Aws):
    s3 = aws.xcom_user.client("s3", aws.url)
    s3.put_object(Bucket=aws.bucket, Key="xcom/probe/ok.json", Body=b"{}")
    assert s3.get_object(Bucket=aws.bucket, Key="xcom/probe/ok.json")["Body"].read() == b"{}"
    assert s3.list_objects_v2(Bucket=aws.bucket, Prefix="xcom/probe/")["KeyCount"] == 1
    s3.delete_object(Bucket=aws.bucket, Key="xcom/probe/ok.json")


@pytest.mark.parametrize(
    "name, call",
    [
        ("PutObject outside the prefix", lambda s3, a: s3.put_object(Bucket=a.bucket, Key="elsewhere/x.json", Body=b"{}")),
        ("GetObject outside the prefix", lambda s3, a: s3.get_object(Bucket=a.bucket, Key="elsewhere/x.json")),
        ("ListObjectsV2 on another bucket", lambda s3, a: s3.list_objects_v2(Bucket=a.other_bucket)),
        ("GetObject in another bucket", lambda s3, a: s3.get_object(Bucket=a.other_bucket, Key="xcom/secret.json")),
        ("PutObject in another bucket", lambda s3, a: s3.put_object(Bucket=a.other_bucket, Key="xcom/x.json", Body=b"{}")),
        ("DeleteBucket", lambda s3, a: s3.delete_bucket(Bucket=a.bucket)),
        (
            "PutBucketPolicy",
            lambda s3, a: s3.put_bucket_policy(
                Bucket=a.bucket,
                Policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{a.bucket}/*",
                            }
                        ],
                    }
                ),
            ),
        ),
        ("CreateBucket", lambda s3, a: s3.create_bucket(Bucket=f"{a.bucket}-new")),
    ],
)
def test_the_xcom_user_is_denied(aws: Aws, name, call):
    assert _error_code(lambda: call(aws.xcom_user.client("s3", aws.url), aws)) == "AccessDenied", name


def test_the_xcom_user_cannot_read_its_own_secret_or_touch_iam(aws: Aws):
    sm = aws.xcom_user.client("secretsmanager", aws.url)
    _assert_access_denied(lambda: sm.get_secret_value(SecretId=aws.deployed["secret_name"]))
    iam = aws.xcom_user.client("iam", aws.url)
    assert _error_code(lambda: iam.create_access_key(UserName=aws.deployed["user_name"])) == "AccessDenied"


def test_the_runtime_identity_reads_the_connection_secret(aws: Aws):
    sm = aws.secret_reader.client("secretsmanager", aws.url)
    stored = json.loads(sm.get_secret_value(SecretId=aws.deployed["secret_name"])["SecretString"])
    assert stored == aws.deployed["connection"]


def test_the_runtime_identity_can_do_nothing_else(aws: Aws):
    sm = aws.secret_reader.client("secretsmanager", aws.url)
    _assert_access_denied(sm.list_secrets)
    _assert_access_denied(lambda: sm.put_secret_value(SecretId=aws.deployed["secret_name"], SecretString="{}"))
    s3 = aws.secret_reader.client("s3", aws.url)
    assert _error_code(lambda: s3.list_objects_v2(Bucket=aws.bucket)) == "AccessDenied"


def test_s3fs_prefix_listings_pass_signature_checks_under_enforcement(aws: Aws, stock_run):
    """moto 5.2.1 rejected, once IAM was enforced, every request whose query string holds a "/"
    (ListObjectsV2 with ``prefix=xcom/...``, which s3fs sends in ``exists()`` before each write)
    with SignatureDoesNotMatch. The round trip above made such requests, signed with the XCom
    user's key; moto's request log shows them answered 200 (moto 5.2.5 verifies them correctly).
    Were the bug back, this test and the round trip would fail."""
    log = aws.server.log()
    listings = [line for line in log.splitlines() if f"GET /{aws.bucket}?list-type=2" in line]
    with_slash = [line for line in listings if re.search(r"prefix=xcom(/|%2F)[^ &]*(/|%2F)", line)]
    assert with_slash, f"s3fs made no prefix listing under xcom/ (the probe this test relies on): {listings}"
    assert all('HTTP/1.1" 200' in line for line in with_slash), with_slash


def test_without_s3_list_bucket_the_same_push_fails(aws: Aws, stock_env, airflow_home):
    """Control: enforcement decides the outcome. The stack's policy minus s3:ListBucket (everything
    else identical, the secret swapped to that identity's key) makes the stock backend's push fail."""
    sm = aws.admin.client("secretsmanager", aws.url)
    secret = aws.deployed["secret_name"]
    sm.put_secret_value(SecretId=secret, SecretString=json.dumps(aws.no_list_connection))
    try:
        result = run_dag(airflow_home, stock_env, secrets_reader_env(aws))
    finally:
        sm.put_secret_value(SecretId=secret, SecretString=json.dumps(aws.deployed["connection"]))
    assert result.state == "failed", result.output[-4000:]
    # s3fs's exists() probe (ListObjectsV2, Prefix=<key>/) is denied and raised as PermissionError.
    # (On AWS the HeadObject before it would already be 403 without s3:ListBucket; moto answers 404.)
    assert "PermissionError" in result.output and "ListObjectsV2" in result.output, result.output[-4000:]
    failed = [line for line in result.output.splitlines() if "new_state=failed" in line or "Task failed" in line]
    assert failed
    assert not [k for k in _all_keys(aws) if k.startswith(f"xcom/{DAG_ID}/{result.run_id}/")]


# --- the same promise with the kit's runtime backend ------------------------------------------------


def test_the_runtime_backend_round_trip_with_xcomkit_env_backend_xcomkit(aws: Aws, outputs_file, work_dir, airflow_home):
    stock_keys = _all_keys(aws)
    env = read_xcomkit_env(outputs_file, work_dir, "airflow-runtime", "--backend", "xcomkit")
    assert env["AIRFLOW__CORE__XCOM_BACKEND"] == RUNTIME_BACKEND
    result = run_dag(airflow_home, env, secrets_reader_env(aws))
    assert result.state == "success", result.output[-6000:]
    runtime_new_keys(_all_keys(aws), set(stock_keys), "xcom")
    assert_runtime_references(xcom_rows(airflow_home, result.run_id), f"s3://aws_xcoms@{aws.bucket}/xcom", dag_module().SMALL)


# --- the bucket properties local up sets from the template ------------------------------------------


def test_bucket_properties_are_the_templates(aws: Aws):
    """moto's own CloudFormation drops these; the deploy sets them through the S3 API from the
    template, so what a local bucket has is what the stack declares."""
    props = aws.template.one("AWS::S3::Bucket")[1]["Properties"]
    s3 = aws.admin.client("s3", aws.url)
    assert s3.get_bucket_versioning(Bucket=aws.bucket)["Status"] == props["VersioningConfiguration"]["Status"]
    block = s3.get_public_access_block(Bucket=aws.bucket)["PublicAccessBlockConfiguration"]
    assert block == props["PublicAccessBlockConfiguration"]
    ownership = s3.get_bucket_ownership_controls(Bucket=aws.bucket)["OwnershipControls"]["Rules"]
    assert ownership == props["OwnershipControls"]["Rules"]
    assert s3.get_bucket_tagging(Bucket=aws.bucket)["TagSet"] == props["Tags"]
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=aws.bucket)["Rules"]}
    for rule in props["LifecycleConfiguration"]["Rules"]:
        got = rules[rule["Id"]]
        assert got["Status"] == rule["Status"]
        assert got.get("Filter", {}).get("Prefix", got.get("Prefix")) == rule.get(
            "Prefix", got.get("Filter", {}).get("Prefix")
        ), got
        if "ExpirationInDays" in rule:
            assert got["Expiration"]["Days"] == rule["ExpirationInDays"]
        if rule.get("ExpiredObjectDeleteMarker"):
            assert got["Expiration"]["ExpiredObjectDeleteMarker"] is True
        if "NoncurrentVersionExpiration" in rule:
            assert got["NoncurrentVersionExpiration"]["NoncurrentDays"] == rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        if "AbortIncompleteMultipartUpload" in rule:
            assert got["AbortIncompleteMultipartUpload"] == rule["AbortIncompleteMultipartUpload"]
    assert set(rules) == {r["Id"] for r in props["LifecycleConfiguration"]["Rules"]}
