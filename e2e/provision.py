"""Creates in moto what the synthesized stack would create on AWS, from the template itself.

moto's CloudFormation skips the Secrets Manager secret and the bucket policy and leaves a deployed
stack without outputs, so instead of ``cdk deploy`` the resources that carry the kit's promise are
created here with the template's own names and its resolved policy document: the bucket, the
customer-managed policy, the group holding it, the user in the group, the access key, and the
secret holding the Airflow connection JSON. The template's values are resolved by
:class:`cfn.Template`, so a change in the stack is a change in what is tested.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import boto3

from cfn import ACCOUNT_ID, PARTITION, REGION, Template

BUCKET = "AWS::S3::Bucket"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
GROUP = "AWS::IAM::Group"
USER = "AWS::IAM::User"
ACCESS_KEY = "AWS::IAM::AccessKey"
SECRET = "AWS::SecretsManager::Secret"
# Not created, and why (docs/e2e.md): the bucket policy only denies plain HTTP and TLS < 1.2, which
# a plain-HTTP loopback server cannot honour; moto has no CloudFormation metadata resource.
NOT_CREATED = {"AWS::S3::BucketPolicy", "AWS::CDK::Metadata"}


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str

    def client(self, service: str, endpoint_url: str):
        return boto3.client(
            service,
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


def setup_client(service: str, endpoint_url: str):
    """A client for the unauthenticated setup phase (moto accepts any key before enforcement)."""
    return Credentials("setup", "setup").client(service, endpoint_url)


def bucket_arn(name: str) -> str:
    return f"arn:{PARTITION}:s3:::{name}"


def deploy(template: Template, endpoint_url: str, *, connection_extra: dict[str, str]) -> dict[str, Any]:
    """Creates the stack's resources in dependency order; returns what the test needs to know.

    ``connection_extra`` is merged into the connection's ``extra`` in the secret: the one test-only
    addition is ``endpoint_url`` (the moto server), which a deployed stack does not need.
    """
    s3 = setup_client("s3", endpoint_url)
    iam = setup_client("iam", endpoint_url)
    sm = setup_client("secretsmanager", endpoint_url)
    unknown = {r["Type"] for r in template.resources.values()} - {
        BUCKET,
        MANAGED_POLICY,
        GROUP,
        USER,
        ACCESS_KEY,
        SECRET,
        *NOT_CREATED,
    }
    assert not unknown, f"the stack has resource types this test does not create: {sorted(unknown)}"

    bucket_id, bucket = template.one(BUCKET)
    bucket_name = bucket["Properties"]["BucketName"]
    s3.create_bucket(Bucket=bucket_name)
    template.refs[bucket_id] = bucket_name
    template.attrs[(bucket_id, "Arn")] = bucket_arn(bucket_name)

    policy_id, policy = template.one(MANAGED_POLICY)
    policy_document = template.resolve(policy["Properties"]["PolicyDocument"])
    policy_name = policy["Properties"]["ManagedPolicyName"]
    created = iam.create_policy(
        PolicyName=policy_name,
        Path=policy["Properties"].get("Path", "/"),
        PolicyDocument=json.dumps(policy_document),
        Description=policy["Properties"].get("Description", ""),
    )
    template.refs[policy_id] = created["Policy"]["Arn"]

    for group_id, group in template.of_type(GROUP):
        name = group["Properties"]["GroupName"]
        iam.create_group(GroupName=name)
        for arn in template.resolve(group["Properties"].get("ManagedPolicyArns", [])):
            iam.attach_group_policy(GroupName=name, PolicyArn=arn)
        template.refs[group_id] = name

    user_id, user = template.one(USER)
    user_name = user["Properties"]["UserName"]
    iam.create_user(UserName=user_name)
    assert not user["Properties"].get("ManagedPolicyArns") and not user["Properties"].get("Policies"), (
        "the stack attaches policies to the user directly"
    )
    for group_name in template.resolve(user["Properties"].get("Groups", [])):
        iam.add_user_to_group(GroupName=group_name, UserName=user_name)
    template.refs[user_id] = user_name

    key_id, key = template.one(ACCESS_KEY)
    access_key = iam.create_access_key(UserName=template.resolve(key["Properties"]["UserName"]))["AccessKey"]
    template.refs[key_id] = access_key["AccessKeyId"]
    template.attrs[(key_id, "SecretAccessKey")] = access_key["SecretAccessKey"]

    secret_id, secret = template.one(SECRET)
    secret_name = secret["Properties"]["Name"]
    stack_connection = json.loads(template.resolve(secret["Properties"]["SecretString"]))
    connection = copy.deepcopy(stack_connection)
    connection["extra"].update(connection_extra)
    created_secret = sm.create_secret(Name=secret_name, SecretString=json.dumps(connection))
    template.refs[secret_id] = created_secret["ARN"]

    return {
        "bucket": bucket_name,
        "policy_name": policy_name,
        "policy_document": policy_document,
        "user_name": user_name,
        "xcom_user": Credentials(access_key["AccessKeyId"], access_key["SecretAccessKey"]),
        "secret_name": secret_name,
        "secret_arn": created_secret["ARN"],
        "stack_connection": stack_connection,
        "connection": connection,
    }


def create_user_with_policy(endpoint_url: str, user_name: str, document: dict[str, Any]) -> Credentials:
    """A further IAM user with one customer-managed policy (test identities, not part of the stack)."""
    iam = setup_client("iam", endpoint_url)
    iam.create_user(UserName=user_name)
    arn = iam.create_policy(PolicyName=f"{user_name}-policy", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user_name, PolicyArn=arn)
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def account_arn() -> str:
    return f"arn:{PARTITION}:iam::{ACCOUNT_ID}:root"
