import { z } from 'zod';
import {
  AZURE_CONTAINER_NAME,
  AZURE_CONTAINER_NAME_RULE,
  AZURE_STORAGE_ACCOUNT,
  AZURE_STORAGE_ACCOUNT_RULE,
  CONNECTIONS_PREFIX,
  ENTRA_OBJECT_ID,
  ENTRA_OBJECT_ID_RULE,
  FEDERATED_CREDENTIALS_MAX,
  KEY_VAULT_NAME,
  KEY_VAULT_NAME_RULE,
  MANAGED_IDENTITY_NAME,
  MANAGED_IDENTITY_NAME_RULE,
} from '../rules';
import { connectionIdSchema, kubernetesServiceAccountSchema, localStateSchema } from './common';

const UUID = ENTRA_OBJECT_ID;
const RESOURCE_GROUP = /^[-\w.()]{1,89}[-\w()]$/;

export const storageAccountNameSchema = z
  .string()
  .regex(AZURE_STORAGE_ACCOUNT, { message: AZURE_STORAGE_ACCOUNT_RULE });

export const containerNameSchema = z
  .string()
  .regex(AZURE_CONTAINER_NAME, { message: AZURE_CONTAINER_NAME_RULE });

/** Key Vault names: 3-24 letters, digits and "-", starting with a letter, ending with a letter or digit, no "--". */
export const keyVaultNameSchema = z
  .string()
  .regex(KEY_VAULT_NAME, { message: KEY_VAULT_NAME_RULE });

/** Blob endpoint suffix of the Azure public cloud: accounts are reached at `<account>.blob.core.windows.net`. */
export const DEFAULT_BLOB_ENDPOINT_SUFFIX = 'blob.core.windows.net';

/**
 * The DNS suffix after `<account>.` of the blob endpoint: `blob.core.windows.net` (public cloud),
 * `blob.core.usgovcloudapi.net` (Azure Government), `blob.core.chinacloudapi.cn` (Azure China), or a
 * custom domain (Azure Stack Hub, a private endpoint zone). Lower-case DNS labels, at least two.
 */
export const blobEndpointSuffixSchema = z
  .string()
  .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, {
    message: 'must be a DNS suffix such as blob.core.windows.net or blob.core.usgovcloudapi.net (lower case, no scheme, no account name, no trailing dot)',
  })
  .refine((s) => s.length <= 230, { message: 'must be at most 230 characters (a host name has at most 253)' });

export const azureIdentitySchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('existing'),
      /**
       * Entra object ids (principal ids) Airflow already runs as: a managed identity of an AKS
       * kubelet or workload, an Azure VM, a service principal. Each gets the custom role on the
       * container with the prefix condition; no identity, credential or secret is created.
       */
      principalIds: z
        .array(z.string().regex(UUID, { message: ENTRA_OBJECT_ID_RULE }))
        .min(1, { message: 'name at least one existing principal id' })
        .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, { message: 'lists a principal twice' }),
    })
    .strict(),
  z
    .object({
      mode: z.literal('workload-identity'),
      /** User-assigned managed identity name; the environment name is appended. */
      identityName: z.string().regex(MANAGED_IDENTITY_NAME, { message: MANAGED_IDENTITY_NAME_RULE }).default('airflow-xcoms'),
      /** AKS cluster OIDC issuer URL and the service accounts that run Airflow tasks. */
      aks: z
        .object({
          oidcIssuerUrl: z.string().url({ message: 'must be the AKS OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl)' }).refine((u) => u.startsWith('https://'), { message: 'must be an https URL' }),
          serviceAccounts: z
            .array(kubernetesServiceAccountSchema)
            .min(1, { message: 'name at least one Kubernetes service account that runs Airflow tasks' })
            .max(FEDERATED_CREDENTIALS_MAX, { message: `a managed identity accepts at most ${FEDERATED_CREDENTIALS_MAX} federated identity credentials` }),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('key'),
      /** Key Vault that holds the Airflow connection (created by the stack, RBAC-enabled, purge protection on). */
      keyVaultName: keyVaultNameSchema,
      /** Key Vault secret-name prefix that Airflow's AzureKeyVaultBackend reads connections from (separator "-"). */
      connectionsPrefix: z
        .string()
        .regex(CONNECTIONS_PREFIX['azure-key-vault'].pattern, { message: CONNECTIONS_PREFIX['azure-key-vault'].rule })
        .default('airflow-connections'),
      /** Entra object ids granted "Key Vault Secrets User" on the connection secret (whatever Airflow reads secrets as). */
      secretReaders: z.array(z.string().regex(UUID, { message: 'must be an Entra object id (a UUID)' })).default([]),
    })
    .strict(),
]);

/** Terraform state backend. */
export const azureStateSchema = z.discriminatedUnion('type', [
  localStateSchema,
  z
    .object({
      type: z.literal('azurerm'),
      resourceGroupName: z.string().regex(RESOURCE_GROUP),
      storageAccountName: storageAccountNameSchema,
      containerName: containerNameSchema,
      /** Blob name of the state. */
      key: z.string().min(1),
      /** Authenticate to the state account with Entra ID instead of an account key. */
      useAzureadAuth: z.boolean().default(true),
    })
    .strict(),
]);

export const azureSchema = z
  .object({
    subscriptionId: z.string().regex(UUID, { message: 'must be a subscription id (a UUID)' }).optional(),
    tenantId: z.string().regex(UUID, { message: 'must be a tenant id (a UUID)' }).optional(),
    location: z.string().regex(/^[a-z][a-z0-9]+$/, { message: 'must be an Azure region name such as westeurope (lower case, no spaces)' }),
    resourceGroup: z
      .object({
        name: z.string().regex(RESOURCE_GROUP, { message: 'must be 1-90 letters, digits, "-", "_", ".", "(", ")", not ending with "."' }),
        /** Create the group (true) or use an existing one (false). */
        create: z.boolean().default(true),
      })
      .strict(),
    storageAccountName: storageAccountNameSchema,
    containerName: containerNameSchema.default('airflow-xcoms'),
    connectionId: connectionIdSchema.default('azure_xcoms'),
    /**
     * Blob endpoint suffix: the connection's `account_host` is `<storageAccountName>.<suffix>`. Set it for
     * sovereign clouds (`blob.core.usgovcloudapi.net`, `blob.core.chinacloudapi.cn`) and custom endpoints.
     */
    blobEndpointSuffix: blobEndpointSuffixSchema.default(DEFAULT_BLOB_ENDPOINT_SUFFIX),
    replication: z.enum(['LRS', 'ZRS', 'GRS', 'GZRS', 'RAGRS', 'RAGZRS']).default('ZRS'),
    network: z
      .object({
        publicNetworkAccess: z.boolean().default(true),
        defaultAction: z.enum(['Allow', 'Deny']).default('Allow'),
        ipRules: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/, { message: 'must be an IPv4 address or CIDR range' })).default([]),
        subnetIds: z.array(z.string().startsWith('/subscriptions/', { message: 'must be a subnet resource id' })).default([]),
      })
      .strict()
      .default({ publicNetworkAccess: true, defaultAction: 'Allow', ipRules: [], subnetIds: [] }),
    /** Days deleted blobs and containers stay restorable. */
    softDeleteDays: z.number().int().min(1).max(365).default(7),
    identity: azureIdentitySchema,
    state: azureStateSchema.default({ type: 'local' }),
  })
  .strict();

export type AzureSettings = z.infer<typeof azureSchema>;
export type AzureIdentity = z.infer<typeof azureIdentitySchema>;
