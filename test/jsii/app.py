"""A Python CDK app built on the jsii package `airflow-xcom-kit-aws`: the twin of app.ts, construct for
construct. jsii-package.integration.test.ts runs it with the project's .venv (the wheel installed by
scripts/setup-python-cdk.sh) and compares its templates with app.ts's.

Usage: python app.py <outdir>   (writes the cloud assembly and <outdir>/facts.json)
"""

import json
import sys

import aws_cdk as cdk
from airflow_xcom_kit_aws import (
    AirflowXcomStorage,
    EksServiceAccount,
    XcomIdentityMode,
    XcomPermissions,
    XcomRoleIdentity,
    XcomUserIdentity,
)
from aws_cdk import aws_iam as iam

ACCOUNT = "123456789012"
MWAA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mwaa-execution-role"
OIDC_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123456789"


def main(outdir: str) -> None:
    app = cdk.App(outdir=outdir, analytics_reporting=False)
    env = cdk.Environment(account=ACCOUNT, region="eu-west-1")

    # The README's example: an existing role (MWAA's execution role) gets the grants and becomes the
    # binding's identity.
    stack = cdk.Stack(app, "AirflowPlatform", env=env)
    xcoms = AirflowXcomStorage(
        stack,
        "Xcoms",
        prefix="xcom",
        expiration=cdk.Duration.days(14),
        removal_policy=cdk.RemovalPolicy.RETAIN,
        create_encryption_key=True,
        compression="zstd",
    )
    xcoms.grant_read_write(iam.Role.from_role_arn(stack, "Mwaa", MWAA_ROLE))
    xcoms.add_binding_output()

    # The identity helpers, with a list of structs (IRSA service accounts) crossing the jsii boundary.
    identities = cdk.Stack(app, "AirflowIdentities", env=env)
    role_storage = AirflowXcomStorage(identities, "RoleXcoms", prefix="airflow/xcom", threshold=0, compression="none")
    XcomRoleIdentity(
        identities,
        "Role",
        storage=role_storage,
        trusted_principal_arns=[MWAA_ROLE],
        external_id="airflow-external-id",
        eks_service_accounts=[
            EksServiceAccount(oidc_provider_arn=OIDC_PROVIDER, namespace="airflow", service_account="airflow-worker")
        ],
        max_session_duration=cdk.Duration.hours(2),
    )
    role_storage.add_binding_output(suffix="Role")
    user_storage = AirflowXcomStorage(identities, "UserXcoms", server_access_logs=False, environment="dev")
    XcomUserIdentity(
        identities, "User", storage=user_storage, user_name="airflow-dev", connections_prefix="airflow/dev/connections"
    )
    user_storage.add_binding_output(suffix="User")

    app.synth()
    facts = {
        "objectActions": XcomPermissions.object_actions,
        "bucketActions": XcomPermissions.bucket_actions,
        "kmsActions": XcomPermissions.kms_actions,
        "oidcIssuer": XcomRoleIdentity.oidc_issuer(OIDC_PROVIDER),
        "minimumTlsVersion": AirflowXcomStorage.MINIMUM_TLS_VERSION,
        "bindingModeExisting": xcoms.binding.identity.mode == XcomIdentityMode.EXISTING,
        "bindingPrefix": xcoms.binding.storage.prefix,
    }
    with open(f"{outdir}/facts.json", "w", encoding="utf-8") as f:
        json.dump(facts, f)


if __name__ == "__main__":
    main(sys.argv[1])
