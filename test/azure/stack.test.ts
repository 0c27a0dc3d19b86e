import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Testing } from 'cdktf';
import { AzureXcomStack } from '../../lib/apps/azure-stack';
import { BINDING_OUTPUT_TF, bindingSchema } from '../../lib/binding';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { AZURE_BASE, only, resources, shippedConfig, synthAzure } from '../terraform/fixtures';

const KEY_MODE = { mode: 'key', keyVaultName: 'kv-acme-xcoms' };

function binding(json: any) {
  return bindingSchema.parse(JSON.parse(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, (ref) => `<deploy-time:${ref}>`)));
}

describe('AzureXcomStack: storage', () => {
  test('the storage account is hardened: no public nesting, HTTPS and TLS 1.2, infrastructure encryption, OAuth by default', () => {
    expect(synthAzure({ azure: AZURE_BASE }).text).toHaveResourceWithProperties(StorageAccount, {
      name: 'acmexcoms01',
      account_kind: 'StorageV2',
      account_tier: 'Standard',
      account_replication_type: 'ZRS',
      allow_nested_items_to_be_public: false,
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      infrastructure_encryption_enabled: true,
      default_to_oauth_authentication: true,
      local_user_enabled: false,
      sftp_enabled: false,
      cross_tenant_replication_enabled: false,
      blob_properties: { versioning_enabled: true, delete_retention_policy: { days: 7 }, container_delete_retention_policy: { days: 7 } },
    });
  });

  test('shared keys are off in workload-identity mode and the provider then uses Entra ID for data-plane calls', () => {
    const { text } = synthAzure({ azure: AZURE_BASE });
    expect(text).toHaveResourceWithProperties(StorageAccount, { shared_access_key_enabled: false });
    expect(text).toHaveProviderWithProperties(AzurermProvider, { storage_use_azuread: true });
  });

  test('shared keys are on in key mode, and the provider does not force Entra ID', () => {
    const { text } = synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } });
    expect(text).toHaveResourceWithProperties(StorageAccount, { shared_access_key_enabled: true });
    expect(text).toHaveProviderWithProperties(AzurermProvider, { storage_use_azuread: false });
  });

  test('replication, soft delete, public network access and network rules come from the config', () => {
    const subnet = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/aks/subnets/nodes';
    const { text } = synthAzure({
      azure: {
        ...AZURE_BASE,
        replication: 'GZRS',
        softDeleteDays: 14,
        network: { publicNetworkAccess: false, defaultAction: 'Deny', ipRules: ['203.0.113.0/24'], subnetIds: [subnet] },
      },
    });
    expect(text).toHaveResourceWithProperties(StorageAccount, {
      account_replication_type: 'GZRS',
      public_network_access_enabled: false,
      network_rules: { default_action: 'Deny', ip_rules: ['203.0.113.0/24'], virtual_network_subnet_ids: [subnet], bypass: ['AzureServices'] },
      blob_properties: { versioning_enabled: true, delete_retention_policy: { days: 14 }, container_delete_retention_policy: { days: 14 } },
    });
  });

  test('the container is private and created through the management API (storage_account_id)', () => {
    const { json } = synthAzure({ azure: AZURE_BASE });
    expect(only(json, 'azurerm_storage_container')).toEqual({
      name: 'airflow-xcoms',
      container_access_type: 'private',
      storage_account_id: expect.stringMatching(/^\$\{azurerm_storage_account\.[\w-]+\.id\}$/),
    });
  });

  test('the management policy deletes base blobs under <container>/<prefix>/ after N days and versions after M days', () => {
    const { json } = synthAzure({ azure: AZURE_BASE, retention: { currentDays: 10, noncurrentDays: 2 } });
    expect(only(json, 'azurerm_storage_management_policy').rule).toEqual([
      {
        name: 'xcom-expiry',
        enabled: true,
        filters: { blob_types: ['blockBlob', 'appendBlob'], prefix_match: ['airflow-xcoms/xcom/'] },
        actions: {
          base_blob: { delete_after_days_since_modification_greater_than: 10 },
          version: { delete_after_days_since_creation: 2 },
          snapshot: { delete_after_days_since_creation_greater_than: 2 },
        },
      },
    ]);
  });

  test('a dedicated container matches the whole container in the policy', () => {
    const { json } = synthAzure({ azure: AZURE_BASE, xcom: { prefix: '', dedicatedBucket: true } });
    expect(only(json, 'azurerm_storage_management_policy').rule[0].filters.prefix_match).toEqual(['airflow-xcoms/']);
  });

  test('the resource group is created by default, or looked up when create is false', () => {
    const created = synthAzure({ azure: AZURE_BASE }).text;
    expect(created).toHaveResourceWithProperties(ResourceGroup, { name: 'rg-airflow', location: 'westeurope' });
    const existing = synthAzure({ azure: { ...AZURE_BASE, resourceGroup: { name: 'rg-shared', create: false } } });
    expect(existing.text).not.toHaveResource(ResourceGroup);
    expect(existing.text).toHaveDataSourceWithProperties(DataAzurermResourceGroup, { name: 'rg-shared' });
    expect(only(existing.json, 'azurerm_storage_account').resource_group_name).toMatch(/^\$\{data\.azurerm_resource_group\./);
  });

  test('retain protects the storage account from destroy', () => {
    expect(only(synthAzure({ azure: AZURE_BASE, removalPolicy: 'retain' }).json, 'azurerm_storage_account').lifecycle).toEqual({ prevent_destroy: true });
    expect(only(synthAzure({ azure: AZURE_BASE, removalPolicy: 'destroy' }).json, 'azurerm_storage_account').lifecycle).toEqual({ prevent_destroy: false });
  });

  test('tags are applied as given', () => {
    expect(synthAzure({ azure: AZURE_BASE, tags: { Team: 'Data Eng' } }).text).toHaveResourceWithProperties(StorageAccount, { tags: { Team: 'Data Eng' } });
  });

  test('the provider takes the subscription and tenant when configured', () => {
    const { text } = synthAzure({ azure: { ...AZURE_BASE, subscriptionId: '00000000-0000-0000-0000-000000000001', tenantId: '00000000-0000-0000-0000-000000000002' } });
    expect(text).toHaveProviderWithProperties(AzurermProvider, { subscription_id: '00000000-0000-0000-0000-000000000001', tenant_id: '00000000-0000-0000-0000-000000000002' });
  });

  test('azurerm state uses Entra ID auth by default; local state a relative path', () => {
    const state = { type: 'azurerm', resourceGroupName: 'rg-tfstate', storageAccountName: 'acmetfstate', containerName: 'tfstate', key: 'airflow-xcoms/prod.tfstate' };
    expect(synthAzure({ azure: { ...AZURE_BASE, state } }).json.terraform.backend).toEqual({
      azurerm: { resource_group_name: 'rg-tfstate', storage_account_name: 'acmetfstate', container_name: 'tfstate', key: 'airflow-xcoms/prod.tfstate', use_azuread_auth: true },
    });
    expect(synthAzure({ azure: AZURE_BASE }, 'dev').json.terraform.backend).toEqual({ local: { path: '../../../terraform.azure-dev.tfstate' } });
  });
});

describe('AzureXcomStack: workload identity', () => {
  test('a user-assigned identity with one federated credential per AKS service account', () => {
    const { text } = synthAzure({ azure: AZURE_BASE }, 'prod');
    expect(text).toHaveResourceWithProperties(UserAssignedIdentity, { name: 'airflow-xcoms-prod', location: 'westeurope' });
    expect(text).toHaveResourceWithProperties(FederatedIdentityCredential, {
      name: 'aks-airflow-airflow-worker',
      issuer: AZURE_BASE.identity.aks.oidcIssuerUrl,
      subject: 'system:serviceaccount:airflow:airflow-worker',
      audience: ['api://AzureADTokenExchange'],
    });
  });

  test('federated credentials are created one after another (Azure refuses concurrent writes on one identity)', () => {
    const aks = { ...AZURE_BASE.identity.aks, serviceAccounts: [{ namespace: 'airflow', serviceAccount: 'worker' }, { namespace: 'airflow', serviceAccount: 'triggerer' }] };
    const { json } = synthAzure({ azure: { ...AZURE_BASE, identity: { mode: 'workload-identity', aks } } });
    const fics = resources(json, 'azurerm_federated_identity_credential');
    expect(fics).toHaveLength(2);
    const [workerId, worker] = fics.find(([, f]) => f.name === 'aks-airflow-worker')!;
    const [, triggerer] = fics.find(([, f]) => f.name === 'aks-airflow-triggerer')!;
    expect(worker.depends_on).toBeUndefined();
    expect(triggerer.depends_on).toEqual([`azurerm_federated_identity_credential.${workerId}`]);
  });

  test('a custom role defined and assignable in the resource group, named after the account and container', () => {
    const { json, text } = synthAzure({ azure: AZURE_BASE });
    expect(text).toHaveResourceWithProperties(RoleDefinition, { name: 'Airflow XComs blob access (acmexcoms01/airflow-xcoms)' });
    const role = only(json, 'azurerm_role_definition');
    expect(role.scope).toMatch(/^\$\{azurerm_resource_group\.[\w-]+\.id\}$/);
    expect(role.assignable_scopes).toEqual([role.scope]);
    const existing = only(synthAzure({ azure: { ...AZURE_BASE, resourceGroup: { name: 'rg-shared', create: false } } }).json, 'azurerm_role_definition');
    expect(existing.scope).toMatch(/^\$\{data\.azurerm_resource_group\.[\w-]+\.id\}$/);
  });

  test('the custom role is assigned on the container, for the identity, with a prefix condition', () => {
    const { json, text } = synthAzure({ azure: AZURE_BASE });
    expect(text).toHaveResourceWithProperties(RoleAssignment, { principal_type: 'ServicePrincipal', condition_version: '2.0' });
    const ra = only(json, 'azurerm_role_assignment');
    expect(ra.role_definition_id).toMatch(/^\$\{azurerm_role_definition\.[\w-]+\.role_definition_resource_id\}$/);
    expect(ra.role_definition_name).toBeUndefined();
    expect(ra.scope).toMatch(/^\$\{azurerm_storage_container\.[\w-]+\.id\}$/);
    expect(ra.principal_id).toMatch(/^\$\{azurerm_user_assigned_identity\.[\w-]+\.principal_id\}$/);
    expect(ra.condition).toContain("StringStartsWith 'xcom/'");
  });

  test('a dedicated container gets the role without a condition', () => {
    const ra = only(synthAzure({ azure: AZURE_BASE, xcom: { prefix: '', dedicatedBucket: true } }).json, 'azurerm_role_assignment');
    expect(ra.condition).toBeUndefined();
    expect(ra.condition_version).toBeUndefined();
  });

  test('no Key Vault and no secret in workload-identity mode', () => {
    const { text } = synthAzure({ azure: AZURE_BASE });
    expect(text).not.toHaveResource(KeyVault);
    expect(text).not.toHaveResource(KeyVaultSecret);
  });
});

describe('AzureXcomStack: key mode', () => {
  test('creates an RBAC-enabled Key Vault with purge protection', () => {
    expect(synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } }).text).toHaveResourceWithProperties(KeyVault, {
      name: 'kv-acme-xcoms',
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      sku_name: 'standard',
    });
  });

  test('stores a wasb connection with the account key under <prefix>-<conn-id>, "_" turned into "-"', () => {
    const { json, text } = synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } });
    expect(text).toHaveResourceWithProperties(KeyVaultSecret, { name: 'airflow-connections-azure-xcoms', content_type: 'application/json' });
    const secret = only(json, 'azurerm_key_vault_secret');
    expect(secret.value).toMatch(
      /^\$\{jsonencode\(\{"conn_type" = "wasb", "host" = "https:\/\/acmexcoms01\.blob\.core\.windows\.net", "login" = azurerm_storage_account\.[\w-]+\.name, "password" = azurerm_storage_account\.[\w-]+\.primary_access_key, "extra" = \{"account_name" = azurerm_storage_account\.[\w-]+\.name, "account_host" = "acmexcoms01\.blob\.core\.windows\.net"\}\}\)\}$/,
    );
  });

  test('the deployer is made Secrets Officer before the secret is written', () => {
    const { json } = synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } });
    const assignments = resources(json, 'azurerm_role_assignment');
    const [officerId, officer] = assignments.find(([, r]) => r.role_definition_name === 'Key Vault Secrets Officer')!;
    expect(officer.principal_id).toMatch(/^\$\{data\.azurerm_client_config\.[\w-]+\.object_id\}$/);
    expect(only(json, 'azurerm_key_vault_secret').depends_on).toEqual([`azurerm_role_assignment.${officerId}`]);
  });

  test('secret readers get Key Vault Secrets User on the secret only', () => {
    const reader = '33333333-3333-3333-3333-333333333333';
    const { json } = synthAzure({ azure: { ...AZURE_BASE, identity: { ...KEY_MODE, secretReaders: [reader] } } });
    const [, user] = resources(json, 'azurerm_role_assignment').find(([, r]) => r.role_definition_name === 'Key Vault Secrets User')!;
    expect(user.principal_id).toBe(reader);
    expect(user.scope).toMatch(/^\$\{azurerm_key_vault_secret\.[\w-]+\.resource_versionless_id\}$/);
  });

  test('no managed identity, no federated credential and no blob role in key mode', () => {
    const { json } = synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } });
    expect(resources(json, 'azurerm_user_assigned_identity')).toHaveLength(0);
    expect(resources(json, 'azurerm_federated_identity_credential')).toHaveLength(0);
    expect(resources(json, 'azurerm_role_definition')).toHaveLength(0);
    expect(resources(json, 'azurerm_role_assignment').map(([, r]) => r.role_definition_name).sort()).toEqual(['Key Vault Secrets Officer']);
  });
});

describe('AzureXcomStack: outputs and binding', () => {
  test('workload identity: the binding carries the account, the abfs path and the workload identity extras', () => {
    const b = binding(synthAzure({ azure: AZURE_BASE }, 'prod').json);
    const clientId = expect.stringMatching(/^<deploy-time:azurerm_user_assigned_identity\.[\w-]+\.client_id>$/);
    const tenantId = expect.stringMatching(/^<deploy-time:azurerm_user_assigned_identity\.[\w-]+\.tenant_id>$/);
    expect(b).toEqual({
      schemaVersion: 1,
      cloud: 'azure',
      environment: 'prod',
      storage: { bucket: 'airflow-xcoms', prefix: 'xcom', region: 'westeurope', account: 'acmexcoms01' },
      xcom: { path: 'abfs://azure_xcoms@airflow-xcoms/xcom', threshold: 1024, compression: 'gzip' },
      connection: {
        id: 'azure_xcoms',
        type: 'wasb',
        extra: { account_name: 'acmexcoms01', account_host: 'acmexcoms01.blob.core.windows.net', workload_identity_client_id: clientId, workload_identity_tenant_id: tenantId },
      },
      identity: { mode: 'workload-identity', principal: clientId, tenantId, kubernetesServiceAccounts: [{ namespace: 'airflow', serviceAccount: 'airflow-worker' }] },
    });
  });

  test('key mode: the binding names the vault secret and never the key', () => {
    const { json } = synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } }, 'prod');
    expect(json.output[BINDING_OUTPUT_TF].value).not.toMatch(/access_key|password/);
    const b = binding(json);
    expect(b.connection.extra).toEqual({ account_name: 'acmexcoms01', account_host: 'acmexcoms01.blob.core.windows.net' });
    expect(b.identity).toEqual({
      mode: 'key',
      principal: 'acmexcoms01',
      secret: {
        store: 'azure-key-vault',
        name: 'airflow-connections-azure-xcoms',
        connectionsPrefix: 'airflow-connections',
        id: expect.stringMatching(/^<deploy-time:azurerm_key_vault\.[\w-]+\.vault_uri>$/),
      },
    });
  });

  test('a sovereign cloud or custom endpoint: account_host (binding) and host/account_host (key-mode secret) use blobEndpointSuffix', () => {
    const gov = { ...AZURE_BASE, blobEndpointSuffix: 'blob.core.usgovcloudapi.net' };
    expect(binding(synthAzure({ azure: gov }).json).connection.extra.account_host).toBe('acmexcoms01.blob.core.usgovcloudapi.net');
    const key = synthAzure({ azure: { ...gov, identity: KEY_MODE } }).json;
    expect(binding(key).connection.extra.account_host).toBe('acmexcoms01.blob.core.usgovcloudapi.net');
    const secret = only(key, 'azurerm_key_vault_secret').value as string;
    expect(secret).toContain('"host" = "https://acmexcoms01.blob.core.usgovcloudapi.net"');
    expect(secret).toContain('"account_host" = "acmexcoms01.blob.core.usgovcloudapi.net"');
    expect(JSON.stringify(key)).not.toContain('core.windows.net');
  });

  test('convenience outputs; none references a key', () => {
    const wi = synthAzure({ azure: AZURE_BASE }).json;
    expect(Object.keys(wi.output).sort()).toEqual(['airflow_binding', 'container_name', 'managed_identity_client_id', 'storage_account_name', 'xcom_objectstorage_path']);
    const key = synthAzure({ azure: { ...AZURE_BASE, identity: KEY_MODE } }).json;
    expect(Object.keys(key.output).sort()).toEqual(['airflow_binding', 'connection_secret_name', 'container_name', 'key_vault_uri', 'storage_account_name', 'xcom_objectstorage_path']);
    expect(JSON.stringify(key.output)).not.toMatch(/access_key/);
  });
});

describe('Azure IAM snapshots', () => {
  const IAM_TYPES = ['azurerm_role_definition', 'azurerm_role_assignment', 'azurerm_federated_identity_credential'];
  const iamOf = (json: any) => Object.fromEntries(IAM_TYPES.filter((t) => json.resource?.[t]).map((t) => [t, json.resource[t]]));
  const config = shippedConfig();

  test.each(Object.keys(config.environments))('role assignments, conditions and federated credentials of the shipped environment %s', (env) => {
    const stack = new AzureXcomStack(Testing.app(), { environment: env, config: config.environments[env] });
    expect(iamOf(JSON.parse(Testing.synth(stack)))).toMatchSnapshot();
  });

  test('role assignments in key mode with a secret reader', () => {
    const { json } = synthAzure({ azure: { ...AZURE_BASE, identity: { ...KEY_MODE, secretReaders: ['33333333-3333-3333-3333-333333333333'] } } }, 'prod');
    expect(iamOf(json)).toMatchSnapshot();
  });
});

describe('AzureXcomStack: identity checks that join two fields name the config field', () => {
  test('a Key Vault secret name over 127 characters', () => {
    const azure = { ...AZURE_BASE, connectionId: `c${'x'.repeat(60)}`, identity: { mode: 'key', keyVaultName: 'acme-xcoms-kv', connectionsPrefix: 'p'.repeat(70) } };
    expect(() => synthAzure({ azure })).toThrow(/azure\.identity\.connectionsPrefix: secret name "p{70}-cx{60}" is longer than 127 characters/);
  });
});
