import { parseConfig } from '../../lib/config/load';
import { AZURE_BASE } from '../terraform/fixtures';

function problemsOf(azure: Record<string, unknown>): string[] {
  try {
    parseConfig({ environments: { prod: { azure } } });
    return [];
  } catch (err) {
    return [...(err as { problems: string[] }).problems];
  }
}

const KEY = { mode: 'key', keyVaultName: 'kv-acme-xcoms' };

describe('azure section validation', () => {
  test('the base section is valid and fills defaults', () => {
    const azure = parseConfig({ environments: { prod: { azure: AZURE_BASE } } }).environments.prod.azure!;
    expect(azure).toMatchObject({ containerName: 'airflow-xcoms', connectionId: 'azure_xcoms', replication: 'ZRS', softDeleteDays: 7, resourceGroup: { create: true } });
  });

  test('the blob endpoint suffix defaults to the public cloud and accepts sovereign and custom suffixes', () => {
    expect(parseConfig({ environments: { prod: { azure: AZURE_BASE } } }).environments.prod.azure!.blobEndpointSuffix).toBe('blob.core.windows.net');
    for (const suffix of ['blob.core.usgovcloudapi.net', 'blob.core.chinacloudapi.cn', 'blob.local.azurestack.external', 'privatelink.blob.core.windows.net']) {
      expect(problemsOf({ ...AZURE_BASE, blobEndpointSuffix: suffix })).toEqual([]);
    }
  });

  test.each([
    ['a URL', 'https://blob.core.windows.net'],
    ['the account host', 'acmexcoms01.blob.core.windows.net/'],
    ['a single label', 'localhost'],
    ['upper case', 'Blob.Core.Windows.Net'],
    ['a leading dot', '.blob.core.windows.net'],
  ])('a blob endpoint suffix that is %s is refused with the field and the fix', (_name, suffix) => {
    expect(problemsOf({ ...AZURE_BASE, blobEndpointSuffix: suffix })).toEqual([
      `environments.prod.azure.blobEndpointSuffix: ${JSON.stringify(suffix)} is not valid: must be a DNS suffix such as blob.core.windows.net or blob.core.usgovcloudapi.net (lower case, no scheme, no account name, no trailing dot)`,
    ]);
  });

  test.each([
    ['storage account name with upper case', { storageAccountName: 'AcmeXcoms' }],
    ['storage account name with "-"', { storageAccountName: 'acme-xcoms' }],
    ['storage account name too short', { storageAccountName: 'ab' }],
    ['storage account name too long', { storageAccountName: 'a'.repeat(25) }],
  ])('%s is refused with the 3-24 rule and the global uniqueness hint', (_name, override) => {
    expect(problemsOf({ ...AZURE_BASE, ...override })).toEqual([
      expect.stringMatching(/^environments\.prod\.azure\.storageAccountName: ".*" is not valid: must be 3-24 lower-case letters and digits, and globally unique across Azure/),
    ]);
  });

  test.each([
    ['location with a space', { location: 'West Europe' }, 'azure.location: "West Europe" is not valid: must be an Azure region name such as westeurope'],
    ['subscription id that is not a UUID', { subscriptionId: 'prod-sub' }, 'azure.subscriptionId: "prod-sub" is not valid: must be a subscription id (a UUID)'],
    ['resource group ending with "."', { resourceGroup: { name: 'rg-airflow.' } }, 'azure.resourceGroup.name: "rg-airflow." is not valid'],
    ['container name with "--"', { containerName: 'airflow--xcoms' }, 'azure.containerName: "airflow--xcoms" is not valid: must be 3-63 lower-case letters, digits and single "-"'],
    ['unknown replication', { replication: 'PRS' }, 'azure.replication: "PRS" is not valid'],
    ['soft delete of 0 days', { softDeleteDays: 0 }, 'azure.softDeleteDays: 0 is not valid'],
    ['IP rule that is not IPv4', { network: { ipRules: ['2001:db8::/32'] } }, 'azure.network.ipRules.0: "2001:db8::/32" is not valid: must be an IPv4 address or CIDR range'],
    ['subnet that is not a resource id', { network: { subnetIds: ['aks-nodes'] } }, 'azure.network.subnetIds.0: "aks-nodes" is not valid: must be a subnet resource id'],
    ['OIDC issuer over http', { identity: { ...AZURE_BASE.identity, aks: { ...AZURE_BASE.identity.aks, oidcIssuerUrl: 'http://issuer.example.com/' } } }, 'azure.identity.aks.oidcIssuerUrl: "http://issuer.example.com/" is not valid: must be an https URL'],
    ['no AKS service account', { identity: { ...AZURE_BASE.identity, aks: { ...AZURE_BASE.identity.aks, serviceAccounts: [] } } }, 'azure.identity.aks.serviceAccounts: [] is not valid: name at least one Kubernetes service account'],
    ['Key Vault name with "--"', { identity: { ...KEY, keyVaultName: 'kv--acme' } }, 'azure.identity.keyVaultName: "kv--acme" is not valid: must be 3-24 letters, digits and single "-"'],
    ['Key Vault name starting with a digit', { identity: { ...KEY, keyVaultName: '1kv-acme' } }, 'azure.identity.keyVaultName: "1kv-acme" is not valid'],
    ['secrets prefix with "_"', { identity: { ...KEY, connectionsPrefix: 'airflow_connections' } }, 'azure.identity.connectionsPrefix: "airflow_connections" is not valid: must be 1-100 letters, digits and "-"'],
    ['secret reader that is not an object id', { identity: { ...KEY, secretReaders: ['airflow-sp'] } }, 'azure.identity.secretReaders.0: "airflow-sp" is not valid: must be an Entra object id'],
    ['absolute local state path', { state: { type: 'local', path: 'C:/state/x.tfstate' } }, 'azure.state.path: "C:/state/x.tfstate" is not valid: must be a relative path'],
    ['azurerm state with a bad account name', { state: { type: 'azurerm', resourceGroupName: 'rg', storageAccountName: 'TF-State', containerName: 'tfstate', key: 'x' } }, 'azure.state.storageAccountName: "TF-State" is not valid'],
  ])('%s is refused with the field, the value and the rule', (_name, override, message) => {
    expect(problemsOf({ ...AZURE_BASE, ...override })).toEqual([expect.stringContaining(message)]);
  });
});
