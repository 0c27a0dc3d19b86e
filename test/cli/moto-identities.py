"""Test helper for the local doctor tests: identities and objects in the moto server of
`xcomkit local up`, which enforces IAM on every request. Each command opens moto's own
unauthenticated window (``POST /moto-api/reset-auth`` with a request budget), does its work, and
closes it again (``0``: IAM enforced from the next request on).

Every command takes the server's URL and the stack's region first.

  grant-minus <url> <region> <action>...   one user per action, with the stack's policy minus that action;
                                  prints {"connection": <the stack's connection>, "users": {action: {login, password}}}
  keys <url> <region> <bucket> <prefix>  prints the current keys under the prefix
  bucket-user <url> <region> <bucket> <user> <statements JSON>
                                  a bucket of its own and a user with these policy statements;
                                  prints {"login", "password"}
  bucket-exists <url> <region> <bucket>
  delete <url> <region> <bucket> <key>...  deletes these keys (every version)
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
from localcloud.servers import runtime_test_servers

moto_reset_auth = runtime_test_servers().moto_reset_auth

RUNTIME_READER = "airflow-runtime-local"


@contextmanager
def unauthenticated(url: str):
    moto_reset_auth(url, 1_000_000)
    try:
        yield
    finally:
        moto_reset_auth(url, 0)


REGION = "us-east-1"


def client(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id="set-up", aws_secret_access_key="set-up")


def _without(document: dict, action: str) -> dict:
    statements = []
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        kept = [a for a in actions if a != action]
        if kept:
            statements.append({**statement, "Action": kept})
    return {**document, "Statement": statements}


def grant_minus(url: str, actions: list[str]) -> dict:
    iam, sm = client("iam", url), client("secretsmanager", url)
    (secret,) = sm.list_secrets()["SecretList"]
    connection = json.loads(sm.get_secret_value(SecretId=secret["ARN"])["SecretString"])
    (user,) = [
        u["UserName"] for u in iam.list_users()["Users"] if u["UserName"] != RUNTIME_READER and "-minus-" not in u["UserName"]
    ]
    arns = [
        p["PolicyArn"]
        for g in iam.list_groups_for_user(UserName=user)["Groups"]
        for p in iam.list_attached_group_policies(GroupName=g["GroupName"])["AttachedPolicies"]
    ]
    (arn,) = arns
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    users = {}
    for action in actions:
        reduced = _without(document, action)
        assert reduced != document, f"the stack's policy has no {action}"
        name = f"{user}-minus-{action.split(':')[1].lower()}"
        iam.create_user(UserName=name)
        policy = iam.create_policy(PolicyName=f"{name}-policy", PolicyDocument=json.dumps(reduced))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=policy)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        users[action] = {"login": key["AccessKeyId"], "password": key["SecretAccessKey"]}
    return {"connection": connection, "users": users}


def keys(url: str, bucket: str, prefix: str) -> list[str]:
    """The current objects under the prefix (a deleted object's noncurrent version is the lifecycle rules' to remove)."""
    pages = client("s3", url).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def delete(url: str, bucket: str, names: list[str]) -> list[str]:
    s3 = client("s3", url)
    for name in names:
        out = s3.list_object_versions(Bucket=bucket, Prefix=name)
        for v in out.get("Versions", []) + out.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
    return names


def bucket_user(url: str, bucket: str, user: str, statements: list[dict]) -> dict:
    s3, iam = client("s3", url), client("iam", url)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    iam.create_user(UserName=user)
    document = {"Version": "2012-10-17", "Statement": statements}
    policy = iam.create_policy(PolicyName=f"{user}-policy", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=policy)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"login": key["AccessKeyId"], "password": key["SecretAccessKey"]}


def bucket_exists(url: str, bucket: str) -> bool:
    return bucket in [b["Name"] for b in client("s3", url).list_buckets()["Buckets"]]


def main(argv: list[str]) -> int:
    global REGION
    command, url, REGION, *rest = argv
    with unauthenticated(url):
        if command == "grant-minus":
            out = grant_minus(url, rest)
        elif command == "keys":
            out = keys(url, rest[0], rest[1])
        elif command == "bucket-user":
            out = bucket_user(url, rest[0], rest[1], json.loads(rest[2]))
        elif command == "bucket-exists":
            out = bucket_exists(url, rest[0])
        elif command == "delete":
            out = delete(url, rest[0], rest[1:])
        else:
            raise SystemExit(f"unknown command {command}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
