import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Fn, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { connectionSecretName } from '../binding';
import type { AzureSettings } from '../config/azure';
import { BlobXcomGrants } from './grants';
import type { XcomStorage } from './xcom-storage';

/** Audience AKS workload identity tokens are issued for (Azure public cloud). */
export const AKS_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';
/** Lets the deploying principal write the connection secret into the RBAC-enabled vault. */
export const KEY_VAULT_SECRETS_OFFICER = 'Key Vault Secrets Officer';
/** Lets Airflow's secrets backend read the connection secret. */
export const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';

export interface XcomIdentityProps {
  readonly environment: string;
  readonly settings: AzureSettings & { identity: Exclude<AzureSettings['identity'], { mode: 'existing' }> };
  readonly storage: XcomStorage;
  /** Key prefix without slashes at either end; empty for a dedicated container (no condition then). */
  readonly prefix: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AzureSecretInfo {
  readonly name: string;
  readonly connectionsPrefix: string;
  /** Vault URI (`https://<vault>.vault.azure.net/`), what AzureKeyVaultBackend's `vault_url` takes. */
  readonly id: string;
}

/**
 * Workload identity: a user-assigned managed identity, one federated credential per AKS service account,
 * and a custom role holding exactly what adlfs needs (`./permissions`), assigned on the container with
 * an ABAC condition limiting blobs and listings to the prefix. Key mode: the account key as an Airflow
 * `wasb` connection in a Key Vault.
 */
export class XcomIdentity extends Construct {
  public readonly managedIdentity?: UserAssignedIdentity;
  /** The custom role (workload identity): `containers/read` plus blob read, write and delete, nothing else. */
  public readonly roleDefinition?: RoleDefinition;
  public readonly roleAssignment?: RoleAssignment;
  public readonly keyVault?: KeyVault;
  public readonly secret?: AzureSecretInfo;

  constructor(scope: Construct, id: string, props: XcomIdentityProps) {
    super(scope, id);
    const { settings, storage } = props;
    const identity = settings.identity;
    const tags = props.tags ? { ...props.tags } : undefined;

    if (identity.mode === 'workload-identity') {
      const mi = new UserAssignedIdentity(this, 'managed-identity', {
        name: `${identity.identityName}-${props.environment}`,
        resourceGroupName: storage.resourceGroupName,
        location: settings.location,
        tags,
      });
      this.managedIdentity = mi;

      // Azure refuses concurrent writes of federated credentials on one identity: chain them.
      let previous: ITerraformDependable | undefined;
      for (const sa of identity.aks.serviceAccounts) {
        const fic: FederatedIdentityCredential = new FederatedIdentityCredential(this, `federated-${sa.namespace}-${sa.serviceAccount}`, {
          name: federatedCredentialName(sa.namespace, sa.serviceAccount),
          resourceGroupName: storage.resourceGroupName,
          parentId: mi.id,
          issuer: identity.aks.oidcIssuerUrl,
          subject: `system:serviceaccount:${sa.namespace}:${sa.serviceAccount}`,
          audience: [AKS_TOKEN_AUDIENCE],
          dependsOn: previous ? [previous] : undefined,
        });
        previous = fic;
      }

      const grants = new BlobXcomGrants(this, {
        resourceGroupId: storage.resourceGroupId,
        containerId: storage.container.id,
        storageAccountName: settings.storageAccountName,
        containerName: settings.containerName,
        prefix: props.prefix,
      });
      this.roleDefinition = grants.roleDefinition;
      this.roleAssignment = grants.grant(mi.principalId, { principalType: 'ServicePrincipal' });
      return;
    }

    // Key mode: shared keys stay on (the connection is the account key); see docs/gcp-azure.md.
    const client = new DataAzurermClientConfig(this, 'client');
    const vault = new KeyVault(this, 'key-vault', {
      name: identity.keyVaultName,
      resourceGroupName: storage.resourceGroupName,
      location: settings.location,
      tenantId: settings.tenantId ?? client.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: true,
      tags,
    });
    this.keyVault = vault;
    const officer = new RoleAssignment(this, 'deployer-secrets-officer', {
      scope: vault.id,
      roleDefinitionName: KEY_VAULT_SECRETS_OFFICER,
      principalId: client.objectId,
      description: 'Lets the Terraform deployer write the Airflow connection secret',
    });
    const name = connectionSecretName('azure-key-vault', identity.connectionsPrefix, settings.connectionId);
    if (name.length > 127) throw new Error(`azure.identity.connectionsPrefix: secret name "${name}" is longer than 127 characters`);
    const secret = new KeyVaultSecret(this, 'connection-secret', {
      name,
      keyVaultId: vault.id,
      contentType: 'application/json',
      value: Fn.jsonencode({
        conn_type: 'wasb',
        host: `https://${storage.blobHost}`,
        login: storage.account.name,
        password: storage.account.primaryAccessKey,
        extra: { account_name: storage.account.name, account_host: storage.blobHost },
      }),
      dependsOn: [officer],
    });
    identity.secretReaders.forEach((objectId, index) => {
      new RoleAssignment(this, `secret-reader-${index}`, {
        scope: secret.resourceVersionlessId,
        roleDefinitionName: KEY_VAULT_SECRETS_USER,
        principalId: objectId,
        description: 'Lets Airflow read its XCom storage connection',
      });
    });
    this.secret = { name, connectionsPrefix: identity.connectionsPrefix, id: vault.vaultUri };
  }
}

/** Federated identity credential names: 3-120 letters, digits, "-" and "_", starting with a letter or digit. */
export function federatedCredentialName(namespace: string, serviceAccount: string): string {
  return `aks-${namespace}-${serviceAccount}`.slice(0, 120);
}
