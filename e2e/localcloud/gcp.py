"""Creates in the GCS emulator what the synthesized GCP stack would create, from ``cdk.tf.json``.

The bucket is created with the stack's name, location, labels, versioning and lifecycle rules
(the emulator stores them; it does not run them). Identity resources (service account, custom
roles, managed folder and its IAM members, workload identity binding) have no emulator: their
names and e-mail are computed as Google would give them so the binding resolves, and they are
listed as not created. The emulator enforces no IAM at all.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from .tf import TerraformStack

BUCKET = "google_storage_bucket"
SERVICE_ACCOUNT = "google_service_account"
CUSTOM_ROLE = "google_project_iam_custom_role"
MANAGED_FOLDER = "google_storage_managed_folder"
# Named and resolved, but not created: the emulator has no IAM and no managed folders.
NOT_CREATED = {
    SERVICE_ACCOUNT: "service account (no IAM in the emulator)",
    CUSTOM_ROLE: "custom roles (no IAM in the emulator)",
    MANAGED_FOLDER: "managed folder (the emulator has no managed folders)",
    "google_storage_managed_folder_iam_member": "managed-folder grant (no IAM in the emulator)",
    "google_storage_bucket_iam_member": "bucket grant (no IAM in the emulator)",
    "google_service_account_iam_member": "workload identity binding (no IAM in the emulator)",
    "google_service_account_key": "service-account key (no IAM in the emulator)",
    "google_secret_manager_secret": "Secret Manager secret (no Secret Manager emulator)",
    "google_secret_manager_secret_version": "Secret Manager secret version (no Secret Manager emulator)",
    "google_secret_manager_secret_iam_member": "Secret Manager grant (no Secret Manager emulator)",
    "google_kms_crypto_key_iam_member": "KMS key grant (no KMS emulator)",
}

_CONDITION_KEYS = {
    "age": "age",
    "matches_prefix": "matchesPrefix",
    "matches_suffix": "matchesSuffix",
    "days_since_noncurrent_time": "daysSinceNoncurrentTime",
    "num_newer_versions": "numNewerVersions",
    "created_before": "createdBefore",
}


def _lifecycle(rules: list[dict[str, Any]]) -> dict[str, Any]:
    """Terraform's lifecycle_rule blocks in the shape of the GCS JSON API."""
    out = []
    for rule in rules:
        condition = {api: rule["condition"][tf] for tf, api in _CONDITION_KEYS.items() if tf in rule["condition"]}
        state = rule["condition"].get("with_state")
        if state in {"LIVE", "ARCHIVED"}:
            condition["isLive"] = state == "LIVE"
        out.append({"action": {"type": rule["action"]["type"]}, "condition": condition})
    return {"rule": out}


def _post(url: str, body: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method=method
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def deploy(stack: TerraformStack, endpoint_url: str) -> dict[str, Any]:
    """Creates the bucket, resolves the identity's names; returns what was done and what was not."""
    unknown = stack.types() - {BUCKET, *NOT_CREATED}
    assert not unknown, f"the GCP stack has resource types the local deploy does not know: {sorted(unknown)}"

    for name, resource in stack.of_type(SERVICE_ACCOUNT):
        sa = {k: stack.resolve(resource[k]) for k in ("account_id", "project")}
        email = f"{sa['account_id']}@{sa['project']}.iam.gserviceaccount.com"
        stack.created(
            SERVICE_ACCOUNT,
            name,
            email=email,
            name=f"projects/{sa['project']}/serviceAccounts/{email}",
            id=f"projects/{sa['project']}/serviceAccounts/{email}",
            member=f"serviceAccount:{email}",
        )
    for name, resource in stack.of_type(CUSTOM_ROLE):
        role = {k: stack.resolve(resource[k]) for k in ("project", "role_id")}
        stack.created(CUSTOM_ROLE, name, name=f"projects/{role['project']}/roles/{role['role_id']}")

    name, bucket = stack.one(BUCKET)
    bucket = stack.resolve(bucket)
    body = {
        "name": bucket["name"],
        "location": bucket.get("location", "US"),
        "storageClass": bucket.get("storage_class", "STANDARD"),
        "labels": bucket.get("labels", {}),
        "versioning": {"enabled": bool(bucket.get("versioning", {}).get("enabled", False))},
        "lifecycle": _lifecycle(bucket.get("lifecycle_rule", [])),
        "iamConfiguration": {
            "uniformBucketLevelAccess": {"enabled": bool(bucket.get("uniform_bucket_level_access"))},
            "publicAccessPrevention": bucket.get("public_access_prevention", "inherited"),
        },
    }
    _post(f"{endpoint_url}/storage/v1/b?project={bucket['project']}", body)
    # The emulator's insert keeps the name only; its PATCH stores the rest (labels, versioning,
    # lifecycle, iamConfiguration), as a bucket update on GCS would.
    _post(f"{endpoint_url}/storage/v1/b/{bucket['name']}", {k: v for k, v in body.items() if k != "name"}, "PATCH")
    stack.created(BUCKET, name, name=bucket["name"], id=bucket["name"], url=f"gs://{bucket['name']}")

    for name, resource in stack.of_type(MANAGED_FOLDER):
        folder = {k: stack.resolve(resource[k]) for k in ("bucket", "name")}
        stack.created(MANAGED_FOLDER, name, bucket=folder["bucket"], name=folder["name"])

    not_created = sorted({NOT_CREATED[t] for t in stack.types() if t in NOT_CREATED})
    return {
        "bucket": bucket["name"],
        "project": bucket["project"],
        "applied": ["bucket", "location", "labels", "versioning", "lifecycle rules (stored, not run)"],
        "not_created": not_created,
    }
