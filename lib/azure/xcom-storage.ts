import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageManagementPolicy } from '@cdktf/provider-azurerm/lib/storage-management-policy';
import { Construct } from 'constructs';
import type { AzureSettings } from '../config/azure';

export interface XcomStorageProps {
  readonly settings: AzureSettings;
  /** Key prefix without slashes at either end; empty for a dedicated container. */
  readonly prefix: string;
  /** Days after which base blobs under the prefix are deleted. */
  readonly currentDays: number;
  /** Days after which previous versions (and snapshots) under the prefix are deleted. */
  readonly noncurrentDays: number;
  /** Allow account-key (shared key) authorization: only the `key` identity mode needs it. */
  readonly sharedAccessKeyEnabled: boolean;
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

  constructor(scope: Construct, id: string, props: XcomStorageProps) {
    super(scope, id);
    const { settings } = props;
    const tags = props.tags ? { ...props.tags } : undefined;

    if (settings.resourceGroup.create) {
      const rg = new ResourceGroup(this, 'resource-group', { name: settings.resourceGroup.name, location: settings.location, tags });
      this.resourceGroupName = rg.name;
      this.resourceGroupId = rg.id;
    } else {
      const rg = new DataAzurermResourceGroup(this, 'resource-group', { name: settings.resourceGroup.name });
      this.resourceGroupName = rg.name;
      this.resourceGroupId = rg.id;
    }

    this.blobHost = `${settings.storageAccountName}.${settings.blobEndpointSuffix}`;
    const network = settings.network;
    this.account = new StorageAccount(this, 'account', {
      name: settings.storageAccountName,
      resourceGroupName: this.resourceGroupName,
      location: settings.location,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: settings.replication,
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
      publicNetworkAccessEnabled: network.publicNetworkAccess,
      networkRules: {
        defaultAction: network.defaultAction,
        ipRules: network.ipRules,
        virtualNetworkSubnetIds: network.subnetIds,
        bypass: ['AzureServices'],
      },
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: settings.softDeleteDays },
        containerDeleteRetentionPolicy: { days: settings.softDeleteDays },
      },
      tags,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });

    // azurerm 4: `storage_account_id` creates the container through Azure Resource Manager, so neither a
    // Deny network rule nor disabled shared keys stop Terraform from creating it.
    this.container = new StorageContainer(this, 'container', {
      name: settings.containerName,
      storageAccountId: this.account.id,
      containerAccessType: 'private',
    });

    this.policyPrefix = props.prefix === '' ? `${settings.containerName}/` : `${settings.containerName}/${props.prefix}/`;
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
