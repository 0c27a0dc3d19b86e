/** The Azure identity construct built directly in a plain CDKTF stack, with plain props (no config). */
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { App, TerraformStack, Testing } from 'cdktf';
import { AKS_TOKEN_AUDIENCE, BLOB_DATA_ACTIONS, CONTAINER_ACTIONS, prefixCondition, XcomIdentity, XcomStorage, type XcomIdentityProps } from '../../lib/azure';
import { resources } from '../terraform/fixtures';

const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/11111111-1111-1111-1111-111111111111/22222222-2222-2222-2222-222222222222/';
const READER = '33333333-3333-3333-3333-333333333333';

type Options = Omit<XcomIdentityProps, 'storage'> & { sharedKeys?: boolean; prefix?: string };

function build(options: Options): { identity: XcomIdentity; text: string; json: any } {
  const stack = new TerraformStack(new App(), 'platform');
  new AzurermProvider(stack, 'azurerm', { features: [{}], storageUseAzuread: !options.sharedKeys });
  const { sharedKeys, prefix, ...props } = options;
  const storage = new XcomStorage(stack, 'storage', {
    resourceGroupName: 'rg-airflow',
    location: 'westeurope',
    storageAccountName: 'acmexcoms01',
    prefix: prefix ?? 'xcom',
    currentDays: 30,
    noncurrentDays: 7,
    sharedAccessKeyEnabled: sharedKeys ?? false,
  });
  const identity = new XcomIdentity(stack, 'identity', { ...props, storage });
  const text = Testing.synth(stack);
  return { identity, text, json: JSON.parse(text) };
}

const WORKLOAD: Options = {
  environment: 'prod',
  workloadIdentity: { oidcIssuerUrl: ISSUER, serviceAccounts: [{ namespace: 'airflow', serviceAccount: 'airflow-worker' }] },
};

describe('XcomIdentity (Azure), built directly', () => {
  test('workload identity: a managed identity in the storage region, a federated credential, the custom role on the container with the prefix condition', () => {
    const { identity, text, json } = build(WORKLOAD);
    expect(text).toHaveResourceWithProperties(UserAssignedIdentity, { name: 'airflow-xcoms-prod', location: 'westeurope' });
    expect(text).toHaveResourceWithProperties(FederatedIdentityCredential, {
      issuer: ISSUER,
      subject: 'system:serviceaccount:airflow:airflow-worker',
      audience: [AKS_TOKEN_AUDIENCE],
    });
    expect(text).toHaveResourceWithProperties(RoleDefinition, {
      permissions: [{ actions: [...CONTAINER_ACTIONS], data_actions: [...BLOB_DATA_ACTIONS], not_actions: [], not_data_actions: [] }],
    });
    expect(text).toHaveResourceWithProperties(RoleAssignment, { principal_type: 'ServicePrincipal', condition: prefixCondition('xcom'), condition_version: '2.0' });
    expect(identity.managedIdentity).toBeDefined();
    expect(identity.secret).toBeUndefined();
    expect(resources(json, 'azurerm_key_vault')).toEqual([]);
  });

  test('a custom identity name and a dedicated container (no condition on the assignment)', () => {
    const { text, json } = build({ ...WORKLOAD, prefix: '', workloadIdentity: { ...WORKLOAD.workloadIdentity!, identityName: 'xcoms_mi' } });
    expect(text).toHaveResourceWithProperties(UserAssignedIdentity, { name: 'xcoms_mi-prod' });
    const [[, assignment]] = resources(json, 'azurerm_role_assignment');
    expect(assignment.condition).toBeUndefined();
  });

  test('key mode: an RBAC vault with purge protection, the connection secret under the default prefix, readers on the secret', () => {
    const { identity, text } = build({ environment: 'prod', sharedKeys: true, key: { keyVaultName: 'acme-xcoms-kv', secretReaders: [READER] } });
    expect(text).toHaveResourceWithProperties(KeyVault, { name: 'acme-xcoms-kv', location: 'westeurope', rbac_authorization_enabled: true, purge_protection_enabled: true });
    expect(text).toHaveResourceWithProperties(KeyVaultSecret, { name: 'airflow-connections-azure-xcoms' });
    expect(text).toHaveResourceWithProperties(RoleAssignment, { role_definition_name: 'Key Vault Secrets User', principal_id: READER });
    expect(identity.secret).toMatchObject({ name: 'airflow-connections-azure-xcoms', connectionsPrefix: 'airflow-connections' });
    expect(text).not.toHaveResource(UserAssignedIdentity);
  });

  test('key mode uses the tenant given, else the deploying client`s', () => {
    const given = build({ environment: 'prod', sharedKeys: true, tenantId: '55555555-5555-5555-5555-555555555555', key: { keyVaultName: 'acme-xcoms-kv' } });
    expect(given.text).toHaveResourceWithProperties(KeyVault, { tenant_id: '55555555-5555-5555-5555-555555555555' });
    const client = build({ environment: 'prod', sharedKeys: true, key: { keyVaultName: 'acme-xcoms-kv' } });
    const [clientId] = Object.keys(client.json.data.azurerm_client_config);
    expect(client.text).toHaveResourceWithProperties(KeyVault, { tenant_id: `\${data.azurerm_client_config.${clientId}.tenant_id}` });
  });

  test('every invalid prop is reported at once, naming the prop and the value', () => {
    expect(() =>
      build({
        environment: 'Prod',
        connectionId: 'azure-xcoms',
        workloadIdentity: { identityName: '-x', oidcIssuerUrl: 'http://issuer', serviceAccounts: [{ namespace: 'Airflow', serviceAccount: 'w' }] },
      }),
    ).toThrow(
      new RegExp(
        [
          '^XcomIdentity: invalid props:',
          '  - environment "Prod": must be 1-20 lower-case letters',
          '  - connectionId "azure-xcoms": must start with a letter',
          '  - workloadIdentity.identityName "-x": must be 3-101 letters',
          '  - workloadIdentity.oidcIssuerUrl "http://issuer": must be the https OIDC issuer URL',
          '  - workloadIdentity.serviceAccounts\\[0\\].namespace "Airflow": must be a Kubernetes name',
        ].join('[\\s\\S]*'),
      ),
    );
  });

  const many = Array.from({ length: 21 }, (_, i) => ({ namespace: 'airflow', serviceAccount: `worker-${i}` }));
  test.each<[string, Options, string]>([
    ['neither mode', { environment: 'prod' }, 'workloadIdentity, key: set exactly one of them'],
    ['both modes', { ...WORKLOAD, key: { keyVaultName: 'acme-xcoms-kv' } }, 'workloadIdentity, key: set exactly one of them'],
    ['no service account', { environment: 'prod', workloadIdentity: { oidcIssuerUrl: ISSUER, serviceAccounts: [] } }, 'workloadIdentity.serviceAccounts: 0 given: name 1 to 20'],
    ['21 service accounts', { environment: 'prod', workloadIdentity: { oidcIssuerUrl: ISSUER, serviceAccounts: many } }, 'workloadIdentity.serviceAccounts: 21 given'],
    ['a bad vault name', { environment: 'prod', sharedKeys: true, key: { keyVaultName: 'kv--x' } }, 'key.keyVaultName "kv--x": must be 3-24 letters'],
    ['a reader that is not a UUID', { environment: 'prod', sharedKeys: true, key: { keyVaultName: 'acme-xcoms-kv', secretReaders: ['airflow'] } }, 'key.secretReaders[0] "airflow": must be an Entra object id'],
    ['a secrets prefix with "_"', { environment: 'prod', sharedKeys: true, key: { keyVaultName: 'acme-xcoms-kv', connectionsPrefix: 'airflow_conns' } }, 'key.connectionsPrefix "airflow_conns": must be 1-100 letters'],
    [
      'a secret name over 127 characters',
      { environment: 'prod', sharedKeys: true, connectionId: `c${'x'.repeat(60)}`, key: { keyVaultName: 'acme-xcoms-kv', connectionsPrefix: 'p'.repeat(70) } },
      'is longer than 127 characters',
    ],
    ['key mode on storage without shared keys', { environment: 'prod', key: { keyVaultName: 'acme-xcoms-kv' } }, 'key: the storage has sharedAccessKeyEnabled false'],
    ['a tenant that is not a UUID', { ...WORKLOAD, tenantId: 'contoso' }, 'tenantId "contoso": must be a tenant id (a UUID)'],
  ])('%s is refused', (_name, options, message) => {
    expect(() => build(options)).toThrow(message);
  });
});
