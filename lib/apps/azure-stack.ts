import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AirflowBinding, BINDING_SCHEMA_VERSION, BindingIdentity, CONN_TYPE_BY_CLOUD, connectionSecretName, xcomObjectStoragePath } from '../binding';
import type { AzureIdentity } from '../config/azure';
import type { EnvironmentConfig } from '../config/schema';
import { KEY_VAULT_SECRET_NAME_MAX } from '../rules';
import { configureStateBackend } from '../terraform/backend';
import { addBindingOutput } from '../terraform/binding-output';
import { stackName } from '../terraform/naming';
import { BlobXcomGrants } from '../azure/grants';
import { XcomIdentity, type XcomIdentityProps } from '../azure/xcom-identity';
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
  /** The identity the stack created (not in mode `existing`). */
  public readonly identity?: XcomIdentity;

  constructor(scope: Construct, props: AzureXcomStackProps) {
    super(scope, stackName('azure', props.environment));
    const { config, environment } = props;
    const azure = config.azure;
    if (!azure) throw new Error(`environment "${environment}" has no azure section`);
    // Shared keys stay on only in key mode: every other mode authenticates with Entra ID.
    const entraOnly = azure.identity.mode !== 'key';

    new AzurermProvider(this, 'azurerm', {
      features: [{ keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }] }],
      subscriptionId: azure.subscriptionId,
      tenantId: azure.tenantId,
      // Shared keys are off outside key mode: the provider's data-plane calls must use Entra ID.
      storageUseAzuread: entraOnly,
    });
    configureStateBackend(this, azure.state);

    const tags = { ...config.tags };
    this.storage = new XcomStorage(this, 'xcom-storage', {
      resourceGroupName: azure.resourceGroup.name,
      createResourceGroup: azure.resourceGroup.create,
      location: azure.location,
      storageAccountName: azure.storageAccountName,
      containerName: azure.containerName,
      blobEndpointSuffix: azure.blobEndpointSuffix,
      replication: azure.replication,
      publicNetworkAccess: azure.network.publicNetworkAccess,
      networkDefaultAction: azure.network.defaultAction,
      ipRules: azure.network.ipRules,
      subnetIds: azure.network.subnetIds,
      softDeleteDays: azure.softDeleteDays,
      prefix: config.xcom.prefix,
      currentDays: config.retention.currentDays,
      noncurrentDays: config.retention.noncurrentDays,
      sharedAccessKeyEnabled: !entraOnly,
      tags,
      preventDestroy: config.removalPolicy === 'retain',
    });
    const path = xcomObjectStoragePath('azure', azure.connectionId, azure.containerName, config.xcom.prefix);
    // `account_host`: adlfs builds the service URL from it (sovereign clouds, custom endpoints).
    const extra: Record<string, string> = { account_name: azure.storageAccountName, account_host: this.storage.blobHost };
    let identity: BindingIdentity;
    if (azure.identity.mode === 'existing') {
      // Assignments straight to the named principals; same ids as workload-identity's role and assignment.
      const grants = new BlobXcomGrants(new Construct(this, 'xcom-identity'), {
        resourceGroupId: this.storage.resourceGroupId,
        containerId: this.storage.container.id,
        storageAccountName: azure.storageAccountName,
        containerName: azure.containerName,
        prefix: config.xcom.prefix,
      });
      azure.identity.principalIds.forEach((id, index) => grants.grant(id, { suffix: index === 0 ? '' : `-${index + 1}` }));
      identity = { mode: 'existing', principal: azure.identity.principalIds[0], principals: [...azure.identity.principalIds] };
    } else {
      this.identity = new XcomIdentity(this, 'xcom-identity', {
        environment,
        storage: this.storage,
        connectionId: azure.connectionId,
        tenantId: azure.tenantId,
        ...identityProps(azure.identity, azure.connectionId),
        tags,
      });
      const mi = this.identity.managedIdentity;
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
    const mi = this.identity?.managedIdentity;
    if (mi) {
      new TerraformOutput(this, 'managed_identity_client_id', { value: mi.clientId, description: 'Client id for the AKS service account annotation azure.workload.identity/client-id' });
    }
    if (this.identity?.secret) {
      new TerraformOutput(this, 'key_vault_uri', { value: this.identity.secret.id, description: 'Key Vault holding the Airflow connection (key mode)' });
      new TerraformOutput(this, 'connection_secret_name', { value: this.identity.secret.name, description: 'Key Vault secret holding the Airflow connection (key mode)' });
    }
  }
}

/** The identity section onto the construct's mode props; a rule joining two fields is checked here, in config terms. */
function identityProps(identity: Exclude<AzureIdentity, { mode: 'existing' }>, connectionId: string): Pick<XcomIdentityProps, 'workloadIdentity' | 'key'> {
  if (identity.mode === 'workload-identity') {
    return {
      workloadIdentity: {
        identityName: identity.identityName,
        oidcIssuerUrl: identity.aks.oidcIssuerUrl,
        serviceAccounts: identity.aks.serviceAccounts.map((s) => ({ namespace: s.namespace, serviceAccount: s.serviceAccount })),
      },
    };
  }
  const name = connectionSecretName('azure-key-vault', identity.connectionsPrefix, connectionId);
  if (name.length > KEY_VAULT_SECRET_NAME_MAX) throw new Error(`azure.identity.connectionsPrefix: secret name "${name}" is longer than ${KEY_VAULT_SECRET_NAME_MAX} characters`);
  return { key: { keyVaultName: identity.keyVaultName, connectionsPrefix: identity.connectionsPrefix, secretReaders: identity.secretReaders } };
}
