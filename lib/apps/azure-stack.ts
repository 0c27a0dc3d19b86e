import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AirflowBinding, BINDING_SCHEMA_VERSION, BindingIdentity, CONN_TYPE_BY_CLOUD, xcomObjectStoragePath } from '../binding';
import type { EnvironmentConfig } from '../config/schema';
import { configureStateBackend } from '../terraform/backend';
import { addBindingOutput } from '../terraform/binding-output';
import { stackName } from '../terraform/naming';
import { XcomIdentity } from '../azure/xcom-identity';
import { XcomStorage } from '../azure/xcom-storage';

export interface AzureXcomStackProps {
  /** Environment name (dev, staging, prod, ...). */
  readonly environment: string;
  /** The validated environment; must have an `azure` section. */
  readonly config: EnvironmentConfig;
}

/** One environment on Azure: storage account and container, identity, and the Airflow binding output. */
export class AzureXcomStack extends TerraformStack {
  public readonly binding: AirflowBinding;
  public readonly storage: XcomStorage;
  public readonly identity: XcomIdentity;

  constructor(scope: Construct, props: AzureXcomStackProps) {
    super(scope, stackName('azure', props.environment));
    const { config, environment } = props;
    const azure = config.azure;
    if (!azure) throw new Error(`environment "${environment}" has no azure section`);
    const workloadIdentity = azure.identity.mode === 'workload-identity';

    new AzurermProvider(this, 'azurerm', {
      features: [{ keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }] }],
      subscriptionId: azure.subscriptionId,
      tenantId: azure.tenantId,
      // Shared keys are off in workload-identity mode: the provider's data-plane calls must use Entra ID.
      storageUseAzuread: workloadIdentity,
    });
    configureStateBackend(this, azure.state);

    const tags = { ...config.tags };
    this.storage = new XcomStorage(this, 'xcom-storage', {
      settings: azure,
      prefix: config.xcom.prefix,
      currentDays: config.retention.currentDays,
      noncurrentDays: config.retention.noncurrentDays,
      sharedAccessKeyEnabled: !workloadIdentity,
      tags,
      preventDestroy: config.removalPolicy === 'retain',
    });
    this.identity = new XcomIdentity(this, 'xcom-identity', { environment, settings: azure, storage: this.storage, prefix: config.xcom.prefix, tags });

    const path = xcomObjectStoragePath('azure', azure.connectionId, azure.containerName, config.xcom.prefix);
    const mi = this.identity.managedIdentity;
    // `account_host`: adlfs builds the service URL from it (sovereign clouds, custom endpoints).
    const extra: Record<string, string> = { account_name: azure.storageAccountName, account_host: this.storage.blobHost };
    let identity: BindingIdentity;
    if (mi && azure.identity.mode === 'workload-identity') {
      // Airflow's abfs filesystem passes these extras to adlfs, which hands them to DefaultAzureCredential.
      extra.workload_identity_client_id = mi.clientId;
      extra.workload_identity_tenant_id = mi.tenantId;
      identity = {
        mode: 'workload-identity',
        principal: mi.clientId,
        tenantId: mi.tenantId,
        kubernetesServiceAccounts: azure.identity.aks.serviceAccounts.map((s) => ({ namespace: s.namespace, serviceAccount: s.serviceAccount })),
      };
    } else {
      const secret = this.identity.secret;
      if (!secret) throw new Error('key mode without a secret');
      identity = { mode: 'key', principal: azure.storageAccountName, secret: { store: 'azure-key-vault', ...secret } };
    }
    this.binding = {
      schemaVersion: BINDING_SCHEMA_VERSION,
      cloud: 'azure',
      environment,
      storage: { bucket: azure.containerName, prefix: config.xcom.prefix, region: azure.location, account: azure.storageAccountName },
      xcom: { path, threshold: config.xcom.threshold, compression: config.xcom.compression },
      connection: { id: azure.connectionId, type: CONN_TYPE_BY_CLOUD.azure, extra },
      identity,
    };
    addBindingOutput(this, this.binding);

    new TerraformOutput(this, 'storage_account_name', { value: this.storage.account.name, description: 'Storage account' });
    new TerraformOutput(this, 'container_name', { value: this.storage.container.name, description: 'XCom container' });
    new TerraformOutput(this, 'xcom_objectstorage_path', { value: path, description: 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH' });
    if (mi) {
      new TerraformOutput(this, 'managed_identity_client_id', { value: mi.clientId, description: 'Client id for the AKS service account annotation azure.workload.identity/client-id' });
    }
    if (this.identity.secret) {
      new TerraformOutput(this, 'key_vault_uri', { value: this.identity.secret.id, description: 'Key Vault holding the Airflow connection (key mode)' });
      new TerraformOutput(this, 'connection_secret_name', { value: this.identity.secret.name, description: 'Key Vault secret holding the Airflow connection (key mode)' });
    }
  }
}
