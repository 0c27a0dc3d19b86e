/** The Azure construct built directly in a plain CDKTF stack, as a CDKTF user would, and the YAML mode `existing`. */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { validateBinding } from '../../lib/airflow/validate';
import { BINDING_OUTPUT_TF, parseBinding } from '../../lib/binding';
import { AirflowXcomBlobStorage, BLOB_DATA_ACTIONS, CONTAINER_ACTIONS, prefixCondition } from '../../lib/azure';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { AZURE_BASE, resources, synthAzure } from '../terraform/fixtures';

const PRINCIPAL = '33333333-3333-3333-3333-333333333333';
const OTHER = '44444444-4444-4444-4444-444444444444';

function consumerStack(): TerraformStack {
  const stack = new TerraformStack(new App(), 'platform');
  new AzurermProvider(stack, 'azurerm', { features: [{}], storageUseAzuread: true });
  return stack;
}

const PROPS = { resourceGroupName: 'rg-airflow', location: 'westeurope', storageAccountName: 'acmexcoms01' };

describe('AirflowXcomBlobStorage', () => {
  test('defaults: shared keys off, TLS 1.2, private container, lifecycle on <container>/xcom/ after 30 and 7 days', () => {
    const stack = consumerStack();
    new AirflowXcomBlobStorage(stack, 'xcoms', PROPS);
    const json = JSON.parse(Testing.synth(stack));
    const [[, account]] = resources(json, 'azurerm_storage_account');
    expect(account).toMatchObject({ shared_access_key_enabled: false, min_tls_version: 'TLS1_2', allow_nested_items_to_be_public: false, account_replication_type: 'ZRS' });
    const [[, policy]] = resources(json, 'azurerm_storage_management_policy');
    expect(policy.rule[0].filters.prefix_match).toEqual(['airflow-xcoms/xcom/']);
    expect(policy.rule[0].actions.base_blob.delete_after_days_since_modification_greater_than).toBe(30);
    expect(resources(json, 'azurerm_role_assignment')).toEqual([]);
  });

  test('grantReadWrite assigns an existing Entra principal the custom role on the container with the prefix condition', () => {
    const stack = consumerStack();
    const xcoms = new AirflowXcomBlobStorage(stack, 'xcoms', PROPS);
    xcoms.grantReadWrite(PRINCIPAL);
    xcoms.grantReadWrite(OTHER);
    const json = JSON.parse(Testing.synth(stack));
    const [[, role]] = resources(json, 'azurerm_role_definition');
    expect(role.permissions).toEqual([{ actions: [...CONTAINER_ACTIONS], data_actions: [...BLOB_DATA_ACTIONS], not_actions: [], not_data_actions: [] }]);
    const assignments = resources(json, 'azurerm_role_assignment').map(([, a]) => a);
    expect(assignments.map((a) => a.principal_id)).toEqual([PRINCIPAL, OTHER]);
    for (const a of assignments) {
      expect(a.condition).toBe(prefixCondition('xcom'));
      expect(a.scope).toMatch(/azurerm_storage_container\./);
    }
    expect(resources(json, 'azurerm_user_assigned_identity')).toEqual([]);
  });

  test('the binding output names the principal (mode existing), no client id, and passes xcomkit validation', () => {
    const stack = consumerStack();
    const xcoms = new AirflowXcomBlobStorage(stack, 'xcoms', { ...PROPS, environment: 'prod' });
    xcoms.grantReadWrite(PRINCIPAL);
    xcoms.addBindingOutput();
    const json = JSON.parse(Testing.synth(stack));
    const binding = parseBinding(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, () => 'x'));
    expect(binding.identity).toEqual({ mode: 'existing', principal: PRINCIPAL, principals: [PRINCIPAL] });
    expect(binding.connection.extra).toEqual({ account_name: 'acmexcoms01', account_host: 'acmexcoms01.blob.core.windows.net' });
    expect(binding.xcom.path).toBe('abfs://azure_xcoms@airflow-xcoms/xcom');
    expect(() => validateBinding(binding)).not.toThrow();
  });

  test('refuses a principal that is not an Entra object id, and bad props with their values', () => {
    const stack = consumerStack();
    expect(() => new AirflowXcomBlobStorage(stack, 'bad', { ...PROPS, storageAccountName: 'Acme_Xcoms', expirationDays: 0 })).toThrow(
      /storageAccountName "Acme_Xcoms": must be 3-24 lower-case letters and digits[\s\S]*expirationDays: 0/,
    );
    const xcoms = new AirflowXcomBlobStorage(stack, 'xcoms', PROPS);
    expect(() => xcoms.grantReadWrite('airflow-identity')).toThrow(/"airflow-identity" is not an Entra object id/);
  });
});

describe('AzureXcomStack, identity mode existing', () => {
  const existing = (principalIds: string[]) => ({ azure: { ...AZURE_BASE, identity: { mode: 'existing', principalIds } } });

  test('assigns the role to the named principals; no managed identity, federated credential or Key Vault; shared keys off', () => {
    const { json } = synthAzure(existing([PRINCIPAL, OTHER]));
    for (const type of ['azurerm_user_assigned_identity', 'azurerm_federated_identity_credential', 'azurerm_key_vault', 'azurerm_key_vault_secret']) expect(resources(json, type)).toEqual([]);
    expect(resources(json, 'azurerm_role_assignment').map(([, a]) => a.principal_id).sort()).toEqual([PRINCIPAL, OTHER]);
    expect(resources(json, 'azurerm_storage_account')[0][1].shared_access_key_enabled).toBe(false);
    expect(json.provider.azurerm[0].storage_use_azuread).toBe(true);
    const binding = parseBinding(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, () => 'x'));
    expect(binding.identity).toEqual({ mode: 'existing', principal: PRINCIPAL, principals: [PRINCIPAL, OTHER] });
  });

  test('the account, container and custom role keep the Terraform addresses of workload-identity mode', () => {
    const addresses = (json: any) =>
      ['azurerm_storage_account', 'azurerm_storage_container', 'azurerm_role_definition'].flatMap((t) => resources(json, t).map(([id]) => `${t}.${id}`));
    expect(addresses(synthAzure(existing([PRINCIPAL])).json)).toEqual(addresses(synthAzure({ azure: AZURE_BASE }).json));
  });

  test('the config refuses principal ids that are not UUIDs, naming the field', () => {
    expect(() => synthAzure(existing(['my-identity']))).toThrow(/azure\.identity\.principalIds\.0: "my-identity" is not valid: must be an Entra object id/);
  });
});
