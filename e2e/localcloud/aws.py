"""Creates in moto what the synthesized AWS stack would create, from the template itself.

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

from .cfn import ACCOUNT_ID, PARTITION, REGION, Template

BUCKET = "AWS::S3::Bucket"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
GROUP = "AWS::IAM::Group"
USER = "AWS::IAM::User"
ACCESS_KEY = "AWS::IAM::AccessKey"
SECRET = "AWS::SecretsManager::Secret"
# Not created, and why (docs/local.md): the bucket policy only denies plain HTTP and TLS < 1.2, which
# a plain-HTTP loopback server cannot honour; moto has no CloudFormation metadata resource.
NOT_CREATED = {"AWS::S3::BucketPolicy", "AWS::CDK::Metadata"}


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str

    def client(self, service: str, endpoint_url: str, region: str = REGION):
        return boto3.client(
            service,
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


def setup_client(service: str, endpoint_url: str, region: str = REGION):
    """A client for the unauthenticated setup phase (moto accepts any key before enforcement)."""
    return Credentials("setup", "setup").client(service, endpoint_url, region)


def physical_bucket_name(template: Template, logical_id: str) -> str:
    """The name CloudFormation gives a bucket without BucketName: <stack>-<logical id>-<random>, lower case."""
    import secrets

    base = f"{template.stack_name}-{logical_id}".lower()[: 63 - 13]
    return f"{base}-{secrets.token_hex(6)}"


def _lifecycle_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CloudFormation's LifecycleConfiguration.Rules in the shape of the S3 API."""
    out = []
    for rule in rules:
        api: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
        prefix = rule.get("Prefix")
        api["Filter"] = {"Prefix": prefix} if prefix is not None else {}
        if "ExpirationInDays" in rule:
            api["Expiration"] = {"Days": rule["ExpirationInDays"]}
        if rule.get("ExpiredObjectDeleteMarker"):
            api["Expiration"] = {"ExpiredObjectDeleteMarker": True}
        if "NoncurrentVersionExpiration" in rule:
            nve = rule["NoncurrentVersionExpiration"]
            api["NoncurrentVersionExpiration"] = {
                k: v
                for k, v in {
                    "NoncurrentDays": nve.get("NoncurrentDays"),
                    "NewerNoncurrentVersions": nve.get("NewerNoncurrentVersions"),
                }.items()
                if v is not None
            }
        if "AbortIncompleteMultipartUpload" in rule:
            api["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
            }
        out.append(api)
    return out


def apply_bucket_properties(s3, name: str, props: dict[str, Any]) -> list[str]:
    """Sets the bucket properties of the template that moto's S3 API accepts; returns what was set."""
    applied = []
    if "BucketEncryption" in props:
        rules = [
            {
                **(
                    {"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"]}
                    if "ServerSideEncryptionByDefault" in r
                    else {}
                ),
                **({"BucketKeyEnabled": r["BucketKeyEnabled"]} if "BucketKeyEnabled" in r else {}),
            }
            for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        applied.append("encryption")
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]})
        applied.append("versioning")
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
        applied.append("public access block")
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
        applied.append("ownership controls")
    if "LifecycleConfiguration" in props:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration={"Rules": _lifecycle_rules(props["LifecycleConfiguration"]["Rules"])}
        )
        applied.append("lifecycle rules")
    if props.get("Tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": props["Tags"]})
        applied.append("tags")
    return applied


def bucket_arn(name: str) -> str:
    return f"arn:{PARTITION}:s3:::{name}"


def deploy(
    template: Template, endpoint_url: str, *, connection_extra: dict[str, str], bucket_properties: bool = False
) -> dict[str, Any]:
    """Creates the stack's resources in dependency order; returns what the caller needs to know.

    ``connection_extra`` is merged into the connection's ``extra`` in the secret: the one local-only
    addition is ``endpoint_url`` (the moto server), which a deployed stack does not need. With
    ``bucket_properties`` the bucket's versioning, public access block, ownership, encryption,
    lifecycle rules and tags are set through the S3 API as well.
    """
    region = template.region
    s3 = setup_client("s3", endpoint_url, region)
    iam = setup_client("iam", endpoint_url, region)
    sm = setup_client("secretsmanager", endpoint_url, region)
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
    bucket_name = bucket["Properties"].get("BucketName") or physical_bucket_name(template, bucket_id)
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket_name)
    else:
        s3.create_bucket(Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": region})
    applied = apply_bucket_properties(s3, bucket_name, bucket["Properties"]) if bucket_properties else []
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
        "bucket_properties": applied,
        "policy_name": policy_name,
        "policy_document": policy_document,
        "user_name": user_name,
        "xcom_user": Credentials(access_key["AccessKeyId"], access_key["SecretAccessKey"]),
        "secret_name": secret_name,
        "secret_arn": created_secret["ARN"],
        "stack_connection": stack_connection,
        "connection": connection,
    }


def outputs(template: Template) -> dict[str, str]:
    """Every output of the stack, resolved: what ``cdk deploy --outputs-file`` records for it."""
    return {key: str(template.resolve(out["Value"])) for key, out in template.body.get("Outputs", {}).items()}


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
