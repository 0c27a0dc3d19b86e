"""Creates in Azurite what the synthesized Azure stack would create, from ``cdk.tf.json``.

Azurite serves the data plane only: the stack's storage account exists because Azurite is started
with it (``AZURITE_ACCOUNTS``, a key generated per ``local up``), and the private container is
created with the stack's name. Control-plane resources (resource group, management policy, managed
identity, federated credential, role assignment and its ABAC condition, Key Vault) have no
emulator: their ids are computed so the binding resolves, and they are listed as not created.
Azurite enforces no RBAC, no ABAC and accepts the shared key the stack switches off.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from typing import Any

from .tf import TerraformStack

RESOURCE_GROUP = "azurerm_resource_group"
ACCOUNT = "azurerm_storage_account"
CONTAINER = "azurerm_storage_container"
IDENTITY = "azurerm_user_assigned_identity"
NOT_CREATED = {
    RESOURCE_GROUP: "resource group (no control plane in Azurite)",
    "azurerm_storage_management_policy": "lifecycle management policy (no control plane in Azurite)",
    IDENTITY: "user-assigned managed identity (no Azure AD locally)",
    "azurerm_federated_identity_credential": "federated credential for AKS (no Azure AD locally)",
    "azurerm_role_assignment": "role assignment and its ABAC condition (Azurite has no RBAC)",
    "azurerm_role_definition": "custom role definition (Azurite has no RBAC)",
    "azurerm_key_vault": "Key Vault (no Key Vault emulator)",
    "azurerm_key_vault_secret": "Key Vault secret (no Key Vault emulator)",
}
LOCAL_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
LOCAL_TENANT = "00000000-0000-0000-0000-000000000000"


def accounts(stack: TerraformStack) -> list[str]:
    """Storage account names of the stack: Azurite must be started with them."""
    return [stack.resolve(a["name"]) for _, a in stack.of_type(ACCOUNT)]


def new_account_key() -> str:
    return base64.b64encode(secrets.token_bytes(64)).decode()


def azurite_accounts_env(keys: dict[str, str]) -> str:
    """``AZURITE_ACCOUNTS``: ``name1:key1;name2:key2``."""
    return ";".join(f"{name}:{key}" for name, key in keys.items())


def connection_string(account: str, key: str, blob_endpoint: str) -> str:
    return f"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};BlobEndpoint={blob_endpoint}/{account};"


def deploy(stack: TerraformStack, endpoint_url: str, keys: dict[str, str]) -> dict[str, Any]:
    """Creates the container(s) in the stack's account; resolves the control-plane ids."""
    from azure.storage.blob import BlobServiceClient

    unknown = stack.types() - {ACCOUNT, CONTAINER, *NOT_CREATED}
    assert not unknown, f"the Azure stack has resource types the local deploy does not know: {sorted(unknown)}"

    for name, resource in stack.of_type(RESOURCE_GROUP):
        group = stack.resolve(resource["name"])
        stack.created(RESOURCE_GROUP, name, name=group, id=f"/subscriptions/{LOCAL_SUBSCRIPTION}/resourceGroups/{group}")
    for name, resource in stack.of_type(IDENTITY):
        identity = {k: stack.resolve(resource[k]) for k in ("name", "resource_group_name")}
        client_id = str(uuid.uuid4())
        stack.created(
            IDENTITY,
            name,
            client_id=client_id,
            principal_id=str(uuid.uuid4()),
            tenant_id=LOCAL_TENANT,
            name=identity["name"],
            id=f"/subscriptions/{LOCAL_SUBSCRIPTION}/resourceGroups/{identity['resource_group_name']}"
            f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identity['name']}",
        )
    name, account = stack.one(ACCOUNT)
    account = {k: stack.resolve(account[k]) for k in ("name", "resource_group_name")}
    account_name = account["name"]
    account_id = (
        f"/subscriptions/{LOCAL_SUBSCRIPTION}/resourceGroups/{account['resource_group_name']}"
        f"/providers/Microsoft.Storage/storageAccounts/{account_name}"
    )
    blob_endpoint = f"{endpoint_url}/{account_name}"
    stack.created(ACCOUNT, name, name=account_name, id=account_id, primary_blob_endpoint=blob_endpoint + "/")

    service = BlobServiceClient.from_connection_string(connection_string(account_name, keys[account_name], endpoint_url))
    containers = []
    for name, resource in stack.of_type(CONTAINER):
        container = stack.resolve(resource["name"])
        public = resource.get("container_access_type", "private")
        assert public == "private", f"container {container} is {public}: the local deploy creates private containers only"
        service.create_container(container)
        containers.append(container)
        stack.created(CONTAINER, name, name=container, id=f"{blob_endpoint}/{container}")

    not_created = sorted({NOT_CREATED[t] for t in stack.types() if t in NOT_CREATED})
    return {
        "account": account_name,
        "containers": containers,
        "blob_endpoint": blob_endpoint,
        "applied": ["storage account (Azurite account)", "private container"],
        "not_created": not_created,
    }
