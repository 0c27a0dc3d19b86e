import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BINDING_SCHEMA_VERSION, CONN_TYPE_BY_CLOUD, xcomObjectStoragePath, type AirflowBinding } from '../binding';
import { AZURE_STORAGE_ACCOUNT, ENTRA_OBJECT_ID, environmentNameFrom, prefixProblems } from '../rules';
import { addBindingOutput } from '../terraform/binding-output';
import { BlobXcomGrants } from './grants';
import { XcomStorage, type XcomStorageProps } from './xcom-storage';

/** fsspec codec names Airflow's common.io backend accepts for `xcom_objectstorage_compression`. */
export type BlobXcomCompression = 'zip' | 'bz2' | 'gzip' | 'lzma' | 'xz' | 'lz4' | 'zstd';

export interface AirflowXcomBlobStorageProps
  extends Omit<XcomStorageProps, 'prefix' | 'currentDays' | 'noncurrentDays' | 'sharedAccessKeyEnabled'> {
  /**
   * Key prefix of the XCom blobs, without slashes at either end; the lifecycle rule and the ABAC
   * condition of every grant are scoped to it. The empty string declares a dedicated container.
   * @default 'xcom'
   */
  readonly prefix?: string;
  /**
   * Days after which base blobs under the prefix are deleted.
   * @default 30
   */
  readonly expirationDays?: number;
  /**
   * Days after which previous versions and snapshots under the prefix are deleted.
   * @default 7
   */
  readonly noncurrentExpirationDays?: number;
  /**
   * Airflow connection id: the user part of `abfs://<conn_id>@<container>/<prefix>`.
   * @default 'azure_xcoms'
   */
  readonly connectionId?: string;
  /**
   * `[common.io] xcom_objectstorage_threshold` in the binding (bytes; -1 keeps everything in the database).
   * @default 1024
   */
  readonly threshold?: number;
  /**
   * `[common.io] xcom_objectstorage_compression` in the binding; `'none'` leaves it unset.
   * @default 'gzip'
   */
  readonly compression?: BlobXcomCompression | 'none';
  /**
   * Environment name written into the binding.
   * @default - the id of the stack
   */
  readonly environment?: string;
}

/**
 * Airflow XCom storage on Azure Blob (CDK for Terraform): a hardened StorageV2 account with shared
 * keys off (Entra ID only), a private container created through the management API, a lifecycle
 * policy on the prefix; `grantReadWrite` assigns an Entra principal the user already has (a managed
 * identity, a service principal) a custom role with exactly what adlfs calls, on the container, with
 * an ABAC condition confining blobs and listings to the prefix; the Airflow binding `xcomkit` reads.
 * The azurerm provider must use Entra ID for data-plane calls (`storageUseAzuread: true`).
 */
export class AirflowXcomBlobStorage extends Construct {
  public readonly storage: XcomStorage;
  public readonly prefix: string;
  public readonly connectionId: string;
  private readonly props: AirflowXcomBlobStorageProps;
  private grants?: BlobXcomGrants;
  private readonly principals: string[] = [];

  constructor(scope: Construct, id: string, props: AirflowXcomBlobStorageProps) {
    super(scope, id);
    this.props = props;
    this.prefix = props.prefix ?? 'xcom';
    this.connectionId = props.connectionId ?? 'azure_xcoms';
    const problems = prefixProblems(this.prefix).map((p) => `prefix "${this.prefix}": ${p}`);
    if (!AZURE_STORAGE_ACCOUNT.test(props.storageAccountName)) problems.push(`storageAccountName "${props.storageAccountName}": must be 3-24 lower-case letters and digits`);
    for (const [name, value] of [['expirationDays', props.expirationDays], ['noncurrentExpirationDays', props.noncurrentExpirationDays]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 3650)) problems.push(`${name}: ${value} must be a whole number of days from 1 to 3650`);
    }
    if (problems.length > 0) throw new Error(`AirflowXcomBlobStorage: invalid props:\n  - ${problems.join('\n  - ')}`);
    const { prefix: _prefix, expirationDays, noncurrentExpirationDays, connectionId: _c, threshold: _t, compression: _z, environment: _e, ...storageProps } = props;
    this.storage = new XcomStorage(this, 'xcom-storage', {
      ...storageProps,
      prefix: this.prefix,
      currentDays: expirationDays ?? 30,
      noncurrentDays: noncurrentExpirationDays ?? 7,
      sharedAccessKeyEnabled: false,
    });
  }

  /**
   * Assigns the custom role (container properties; blob read, list, write, delete) to the Entra
   * principal `principalId` (an object id: `az identity show --query principalId`) on the container,
   * with the ABAC condition on the prefix. The first principal becomes the binding's identity (mode
   * `existing`: Airflow authenticates as itself, e.g. through its managed identity).
   */
  public grantReadWrite(principalId: string): void {
    if (!ENTRA_OBJECT_ID.test(principalId)) throw new Error(`AirflowXcomBlobStorage.grantReadWrite: "${principalId}" is not an Entra object id (a UUID)`);
    this.grants ??= new BlobXcomGrants(this, {
      resourceGroupId: this.storage.resourceGroupId,
      containerId: this.storage.container.id,
      storageAccountName: this.props.storageAccountName,
      containerName: this.props.containerName ?? 'airflow-xcoms',
      prefix: this.prefix,
    });
    this.grants.grant(principalId, { suffix: `-${this.principals.length + 1}` });
    this.principals.push(principalId);
  }

  /** The Airflow binding (mode `existing`); needs a `grantReadWrite` first. */
  public get binding(): AirflowBinding {
    if (this.principals.length === 0) throw new Error(`${this.node.path}: no principal granted yet: call grantReadWrite(<principal id>) before reading the binding`);
    const container = this.props.containerName ?? 'airflow-xcoms';
    return {
      schemaVersion: BINDING_SCHEMA_VERSION,
      cloud: 'azure',
      environment: this.props.environment ?? environmentNameFrom(TerraformStack.of(this).node.id),
      storage: { bucket: container, prefix: this.prefix, region: this.props.location, account: this.props.storageAccountName },
      xcom: {
        path: xcomObjectStoragePath('azure', this.connectionId, container, this.prefix),
        threshold: this.props.threshold ?? 1024,
        compression: this.props.compression === 'none' ? null : (this.props.compression ?? 'gzip'),
      },
      connection: { id: this.connectionId, type: CONN_TYPE_BY_CLOUD.azure, extra: { account_name: this.props.storageAccountName, account_host: this.storage.blobHost } },
      identity: { mode: 'existing', principal: this.principals[0], principals: [...this.principals] },
    };
  }

  /** Emits the binding as the Terraform output `airflow_binding` of the stack, which `xcomkit` reads. */
  public addBindingOutput(): TerraformOutput {
    return addBindingOutput(TerraformStack.of(this), this.binding);
  }
}
