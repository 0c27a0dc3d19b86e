import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageManagementPolicy } from '@cdktf/provider-azurerm/lib/storage-management-policy';
import { Construct } from 'constructs';

export type AzureReplication = 'LRS' | 'ZRS' | 'GRS' | 'GZRS' | 'RAGRS' | 'RAGZRS';

export interface XcomStorageProps {
  /** Resource group of the account (created, or looked up with `createResourceGroup: false`). */
  readonly resourceGroupName: string;
  /**
   * Create the resource group (true) or use an existing one (false).
   * @default true
   */
  readonly createResourceGroup?: boolean;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Storage account name (3-24 lower-case letters and digits, globally unique). */
  readonly storageAccountName: string;
  /**
   * Container of the XComs.
   * @default 'airflow-xcoms'
   */
  readonly containerName?: string;
  /**
   * DNS suffix of the blob endpoint after `<account>.` (sovereign clouds, custom endpoints).
   * @default 'blob.core.windows.net'
   */
  readonly blobEndpointSuffix?: string;
  /**
   * Account replication.
   * @default 'ZRS'
   */
  readonly replication?: AzureReplication;
  /**
   * Allow access from public networks (subject to the network rules).
   * @default true
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Network rules' default action.
   * @default 'Allow'
   */
  readonly networkDefaultAction?: 'Allow' | 'Deny';
  /**
   * IPv4 addresses or CIDR ranges allowed by the network rules.
   * @default - none
   */
  readonly ipRules?: string[];
  /**
   * Subnet resource ids allowed by the network rules.
   * @default - none
   */
  readonly subnetIds?: string[];
  /**
   * Days deleted blobs and containers stay restorable (1-365).
   * @default 7
   */
  readonly softDeleteDays?: number;
  /** Key prefix without slashes at either end; empty for a dedicated container. */
  readonly prefix: string;
  /** Days after which base blobs under the prefix are deleted. */
  readonly currentDays: number;
  /** Days after which previous versions (and snapshots) under the prefix are deleted. */
  readonly noncurrentDays: number;
  /** Allow account-key (shared key) authorization: only the `key` identity mode needs it. */
  readonly sharedAccessKeyEnabled: boolean;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Refuse `terraform destroy` of the storage account (`lifecycle.prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * Resource group (created or looked up), a hardened StorageV2 account, a private container created
 * through the management API, and a management policy that expires XComs under the prefix.
 */
export class XcomStorage extends Construct {
  public readonly resourceGroupName: string;
  /** Resource id of the group (scope of the custom role definition). */
  public readonly resourceGroupId: string;
  public readonly account: StorageAccount;
  public readonly container: StorageContainer;
  /** Host of the blob endpoint, `<account>.<blobEndpointSuffix>` (what adlfs takes as `account_host`). */
  public readonly blobHost: string;
  /** Blob-name prefix the policy matches: `<container>/<prefix>/`, or `<container>/` when dedicated. */
  public readonly policyPrefix: string;
  /** The props as given (literals), for identities and grants built on this storage. */
  public readonly location: string;
  public readonly storageAccountName: string;
  public readonly containerName: string;
  public readonly prefix: string;
  public readonly sharedAccessKeyEnabled: boolean;

  constructor(scope: Construct, id: string, props: XcomStorageProps) {
    super(scope, id);
    const containerName = props.containerName ?? 'airflow-xcoms';
    this.location = props.location;
    this.storageAccountName = props.storageAccountName;
    this.containerName = containerName;
    this.prefix = props.prefix;
    this.sharedAccessKeyEnabled = props.sharedAccessKeyEnabled;
    const tags = props.tags ? { ...props.tags } : undefined;

    if (props.createResourceGroup ?? true) {
      const rg = new ResourceGroup(this, 'resource-group', { name: props.resourceGroupName, location: props.location, tags });
      this.resourceGroupName = rg.name;
      this.resourceGroupId = rg.id;
    } else {
      const rg = new DataAzurermResourceGroup(this, 'resource-group', { name: props.resourceGroupName });
      this.resourceGroupName = rg.name;
      this.resourceGroupId = rg.id;
    }

    this.blobHost = `${props.storageAccountName}.${props.blobEndpointSuffix ?? 'blob.core.windows.net'}`;
    const softDeleteDays = props.softDeleteDays ?? 7;
    this.account = new StorageAccount(this, 'account', {
      name: props.storageAccountName,
      resourceGroupName: this.resourceGroupName,
      location: props.location,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: props.replication ?? 'ZRS',
      accessTier: 'Hot',
      allowNestedItemsToBePublic: false,
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      infrastructureEncryptionEnabled: true,
      sharedAccessKeyEnabled: props.sharedAccessKeyEnabled,
      defaultToOauthAuthentication: true,
      localUserEnabled: false,
      sftpEnabled: false,
      isHnsEnabled: false,
      crossTenantReplicationEnabled: false,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? true,
      networkRules: {
        defaultAction: props.networkDefaultAction ?? 'Allow',
        ipRules: props.ipRules ?? [],
        virtualNetworkSubnetIds: props.subnetIds ?? [],
        bypass: ['AzureServices'],
      },
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: softDeleteDays },
        containerDeleteRetentionPolicy: { days: softDeleteDays },
      },
      tags,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });

    // azurerm 4: `storage_account_id` creates the container through Azure Resource Manager, so neither a
    // Deny network rule nor disabled shared keys stop Terraform from creating it.
    this.container = new StorageContainer(this, 'container', {
      name: containerName,
      storageAccountId: this.account.id,
      containerAccessType: 'private',
    });

    this.policyPrefix = props.prefix === '' ? `${containerName}/` : `${containerName}/${props.prefix}/`;
    new StorageManagementPolicy(this, 'lifecycle', {
      storageAccountId: this.account.id,
      rule: [
        {
          name: 'xcom-expiry',
          enabled: true,
          filters: { blobTypes: ['blockBlob', 'appendBlob'], prefixMatch: [this.policyPrefix] },
          actions: {
            baseBlob: { deleteAfterDaysSinceModificationGreaterThan: props.currentDays },
            version: { deleteAfterDaysSinceCreation: props.noncurrentDays },
            snapshot: { deleteAfterDaysSinceCreationGreaterThan: props.noncurrentDays },
          },
        },
      ],
    });
  }
}
