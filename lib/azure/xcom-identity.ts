import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Fn, ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { connectionSecretName } from '../binding';
import {
  CONNECTION_ID,
  CONNECTION_ID_RULE,
  CONNECTIONS_PREFIX,
  ENTRA_OBJECT_ID,
  ENTRA_OBJECT_ID_RULE,
  ENVIRONMENT_NAME,
  ENVIRONMENT_NAME_RULE,
  FEDERATED_CREDENTIALS_MAX,
  KEY_VAULT_NAME,
  KEY_VAULT_NAME_RULE,
  KEY_VAULT_SECRET_NAME_MAX,
  KUBERNETES_NAME,
  MANAGED_IDENTITY_NAME,
  MANAGED_IDENTITY_NAME_RULE,
  showValue,
} from '../rules';
import { BlobXcomGrants } from './grants';
import type { XcomStorage } from './xcom-storage';

/** Audience AKS workload identity tokens are issued for (Azure public cloud). */
export const AKS_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';
/** Lets the deploying principal write the connection secret into the RBAC-enabled vault. */
export const KEY_VAULT_SECRETS_OFFICER = 'Key Vault Secrets Officer';
/** Lets Airflow's secrets backend read the connection secret. */
export const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';

/** A Kubernetes service account (of an AKS cluster) that runs Airflow tasks. */
export interface AksServiceAccount {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Workload identity: a user-assigned managed identity federated with AKS service accounts; no secret exists. */
export interface AzureWorkloadIdentityOptions {
  /**
   * Name of the user-assigned managed identity; the environment is appended (`airflow-xcoms-prod`).
   * @default 'airflow-xcoms'
   */
  readonly identityName?: string;
  /** OIDC issuer URL of the AKS cluster (`az aks show --query oidcIssuerProfile.issuerUrl`), https. */
  readonly oidcIssuerUrl: string;
  /** The Kubernetes service accounts that run Airflow tasks: 1 to 20 (one federated credential each). */
  readonly serviceAccounts: AksServiceAccount[];
}

/** Key mode: the account key as an Airflow `wasb` connection in a new Key Vault (the storage must allow shared keys). */
export interface AzureKeyOptions {
  /** Name of the Key Vault the stack creates (RBAC-enabled, purge protection on); globally unique. */
  readonly keyVaultName: string;
  /**
   * Key Vault secret-name prefix Airflow's AzureKeyVaultBackend reads connections from (separator "-").
   * @default 'airflow-connections'
   */
  readonly connectionsPrefix?: string;
  /**
   * Entra object ids granted "Key Vault Secrets User" on the connection secret (whatever Airflow reads secrets as).
   * @default - none
   */
  readonly secretReaders?: string[];
}

export interface XcomIdentityProps {
  /** Environment name: suffix of the managed identity name (1-20 lower-case letters, digits and "-"). */
  readonly environment: string;
  /** The storage the identity is granted (its account, container, prefix and region). */
  readonly storage: XcomStorage;
  /**
   * Airflow connection id (key mode: part of the secret name).
   * @default 'azure_xcoms'
   */
  readonly connectionId?: string;
  /**
   * Entra tenant of the Key Vault (key mode).
   * @default - the tenant of the deploying client
   */
  readonly tenantId?: string;
  /**
   * Authenticate through AKS workload identity. Set exactly one of `workloadIdentity` and `key`.
   * @default - none (then `key` must be set)
   */
  readonly workloadIdentity?: AzureWorkloadIdentityOptions;
  /**
   * Authenticate with the account key kept in Key Vault. Set exactly one of `workloadIdentity` and `key`.
   * @default - none (then `workloadIdentity` must be set)
   */
  readonly key?: AzureKeyOptions;
  /**
   * Tags of every resource.
   * @default - none
   */
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
    validate(props);
    const { storage } = props;
    const tags = props.tags ? { ...props.tags } : undefined;

    const workload = props.workloadIdentity;
    if (workload) {
      const mi = new UserAssignedIdentity(this, 'managed-identity', {
        name: `${workload.identityName ?? 'airflow-xcoms'}-${props.environment}`,
        resourceGroupName: storage.resourceGroupName,
        location: storage.location,
        tags,
      });
      this.managedIdentity = mi;

      // Azure refuses concurrent writes of federated credentials on one identity: chain them.
      let previous: ITerraformDependable | undefined;
      for (const sa of workload.serviceAccounts) {
        const fic: FederatedIdentityCredential = new FederatedIdentityCredential(this, `federated-${sa.namespace}-${sa.serviceAccount}`, {
          name: federatedCredentialName(sa.namespace, sa.serviceAccount),
          resourceGroupName: storage.resourceGroupName,
          parentId: mi.id,
          issuer: workload.oidcIssuerUrl,
          subject: `system:serviceaccount:${sa.namespace}:${sa.serviceAccount}`,
          audience: [AKS_TOKEN_AUDIENCE],
          dependsOn: previous ? [previous] : undefined,
        });
        previous = fic;
      }

      const grants = new BlobXcomGrants(this, {
        resourceGroupId: storage.resourceGroupId,
        containerId: storage.container.id,
        storageAccountName: storage.storageAccountName,
        containerName: storage.containerName,
        prefix: storage.prefix,
      });
      this.roleDefinition = grants.roleDefinition;
      this.roleAssignment = grants.grant(mi.principalId, { principalType: 'ServicePrincipal' });
      return;
    }

    // Key mode: shared keys stay on (the connection is the account key); see docs/gcp-azure.md.
    const keyOptions = props.key!;
    const client = new DataAzurermClientConfig(this, 'client');
    const vault = new KeyVault(this, 'key-vault', {
      name: keyOptions.keyVaultName,
      resourceGroupName: storage.resourceGroupName,
      location: storage.location,
      tenantId: props.tenantId ?? client.tenantId,
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
    const connectionsPrefix = keyOptions.connectionsPrefix ?? 'airflow-connections';
    const name = connectionSecretName('azure-key-vault', connectionsPrefix, props.connectionId ?? 'azure_xcoms');
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
    (keyOptions.secretReaders ?? []).forEach((objectId, index) => {
      new RoleAssignment(this, `secret-reader-${index}`, {
        scope: secret.resourceVersionlessId,
        roleDefinitionName: KEY_VAULT_SECRETS_USER,
        principalId: objectId,
        description: 'Lets Airflow read its XCom storage connection',
      });
    });
    this.secret = { name, connectionsPrefix, id: vault.vaultUri };
  }
}

/** A literal that breaks `rule`, as "<prop> <value>: <rule>"; tokens resolve at deploy and are not checked. */
function check(problems: string[], prop: string, value: string | undefined, ok: (v: string) => boolean, rule: string): void {
  if (value === undefined || Token.isUnresolved(value) || ok(value)) return;
  problems.push(`${prop} ${showValue(value)}: ${rule}`);
}

/** Every problem at once, naming the prop and the value. */
function validate(props: XcomIdentityProps): void {
  const problems: string[] = [];
  check(problems, 'environment', props.environment, (v) => ENVIRONMENT_NAME.test(v), ENVIRONMENT_NAME_RULE);
  check(problems, 'connectionId', props.connectionId, (v) => CONNECTION_ID.test(v), CONNECTION_ID_RULE);
  check(problems, 'tenantId', props.tenantId, (v) => ENTRA_OBJECT_ID.test(v), 'must be a tenant id (a UUID)');
  const { workloadIdentity: workload, key } = props;
  if ((workload === undefined) === (key === undefined)) problems.push('workloadIdentity, key: set exactly one of them (how Airflow authenticates to the storage account)');
  if (workload) {
    check(problems, 'workloadIdentity.identityName', workload.identityName, (v) => MANAGED_IDENTITY_NAME.test(v), MANAGED_IDENTITY_NAME_RULE);
    check(problems, 'workloadIdentity.oidcIssuerUrl', workload.oidcIssuerUrl, (v) => /^https:\/\/[^\s/]+/.test(v), 'must be the https OIDC issuer URL of the AKS cluster (az aks show --query oidcIssuerProfile.issuerUrl)');
    const count = workload.serviceAccounts.length;
    if (count === 0 || count > FEDERATED_CREDENTIALS_MAX) {
      problems.push(`workloadIdentity.serviceAccounts: ${count} given: name 1 to ${FEDERATED_CREDENTIALS_MAX} Kubernetes service accounts (a managed identity accepts at most ${FEDERATED_CREDENTIALS_MAX} federated credentials)`);
    }
    workload.serviceAccounts.forEach((sa, i) => {
      const rule = 'must be a Kubernetes name (lower-case letters, digits and "-", starting and ending with a letter or digit)';
      check(problems, `workloadIdentity.serviceAccounts[${i}].namespace`, sa.namespace, (v) => KUBERNETES_NAME.test(v), rule);
      check(problems, `workloadIdentity.serviceAccounts[${i}].serviceAccount`, sa.serviceAccount, (v) => KUBERNETES_NAME.test(v), rule);
    });
  }
  if (key) {
    check(problems, 'key.keyVaultName', key.keyVaultName, (v) => KEY_VAULT_NAME.test(v), KEY_VAULT_NAME_RULE);
    const rule = CONNECTIONS_PREFIX['azure-key-vault'];
    check(problems, 'key.connectionsPrefix', key.connectionsPrefix, (v) => rule.pattern.test(v), rule.rule);
    const connectionsPrefix = key.connectionsPrefix ?? 'airflow-connections';
    const name = connectionSecretName('azure-key-vault', connectionsPrefix, props.connectionId ?? 'azure_xcoms');
    if (name.length > KEY_VAULT_SECRET_NAME_MAX) {
      problems.push(`key.connectionsPrefix ${showValue(connectionsPrefix)}: the secret name "${name}" is longer than ${KEY_VAULT_SECRET_NAME_MAX} characters: choose a shorter prefix or connectionId`);
    }
    (key.secretReaders ?? []).forEach((id, i) => check(problems, `key.secretReaders[${i}]`, id, (v) => ENTRA_OBJECT_ID.test(v), ENTRA_OBJECT_ID_RULE));
    if (!props.storage.sharedAccessKeyEnabled) problems.push('key: the storage has sharedAccessKeyEnabled false, but the key mode connection is the account key: enable shared keys on the storage, or use workloadIdentity');
  }
  if (problems.length > 0) throw new Error(`XcomIdentity: invalid props:\n  - ${problems.join('\n  - ')}`);
}

/** Federated identity credential names: 3-120 letters, digits, "-" and "_", starting with a letter or digit. */
export function federatedCredentialName(namespace: string, serviceAccount: string): string {
  return `aks-${namespace}-${serviceAccount}`.slice(0, 120);
}
