"""What the local servers cannot enforce, per cloud, and the template-level checks that cover it.

Printed by ``xcomkit local up`` and ``local status`` (as ``not_enforced`` with ``--json``) and listed
in the README; one source so the two cannot drift.
"""

from __future__ import annotations

LIMITS: dict[str, list[tuple[str, str]]] = {
    "aws": [
        (
            "IAM conditions (moto evaluates actions and resources only)",
            "IAM policy simulator over the synthesized policy (test/aws/least-privilege.test.ts)",
        ),
        (
            "bucket policy: TLS only, TLS >= 1.2 (not created: the loopback server is plain HTTP)",
            "construct assertions (test/aws/bucket.test.ts), cdk-nag S10, checkov",
        ),
        (
            "lifecycle rules, versioning, public access block, ownership: set, never run by moto",
            "construct assertions (test/aws/bucket.test.ts), checkov CKV_AWS_21/53-56/300, CKV2_AWS_61/65",
        ),
        (
            "Secrets Manager grants on the secret's ARN (moto checks them against resource *)",
            "docs/aws.md; the local runtime identity may read any secret",
        ),
    ],
    "gcp": [
        (
            "all IAM: custom roles, managed-folder and bucket grants, workload identity (the emulator has none)",
            "gcsfs request sequence evaluated against the synthesized grants (test/gcp/iam.test.ts)",
        ),
        (
            "uniform access, public access prevention, lifecycle rules, soft delete: stored or absent, never enforced",
            "stack assertions (test/gcp/stack.test.ts), checkov CKV_GCP_29/78/114",
        ),
        (
            "credentials: the local connection is anonymous (is_anonymous)",
            "keyless workload identity is checked in test/gcp/stack.test.ts",
        ),
    ],
    "azure": [
        (
            "RBAC role and its ABAC prefix condition (Azurite has no RBAC)",
            "adlfs request sequence evaluated against the synthesized condition (test/azure/abac.test.ts)",
        ),
        (
            "shared keys off, OAuth by default, HTTPS/TLS 1.2, network rules: Azurite uses a shared key over HTTP",
            "stack assertions (test/azure/stack.test.ts), checkov CKV_AZURE_44/190, CKV2_AZURE_40",
        ),
        (
            "lifecycle management policy, soft delete, versioning (no control plane)",
            "stack assertions (test/azure/stack.test.ts), checkov CKV2_AZURE_38",
        ),
    ],
}


def as_json(clouds: list[str]) -> dict[str, list[dict[str, str]]]:
    """The same list for ``--json``: per cloud, each limit with what covers it instead."""
    return {cloud: [{"limit": limit, "covered_by": covered} for limit, covered in LIMITS[cloud]] for cloud in clouds}


def render(clouds: list[str]) -> str:
    lines = ["Not enforced by the local servers (and what covers it instead):"]
    for cloud in clouds:
        for limit, covered in LIMITS[cloud]:
            lines.append(f"  {cloud:<6} {limit}")
            lines.append(f"  {'':<6}   covered by: {covered}")
    return "\n".join(lines)
