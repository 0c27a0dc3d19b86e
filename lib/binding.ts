/**
 * The Airflow binding: the one machine-readable contract between the stacks (AWS, GCP, Azure) and
 * everything that configures Airflow (the `xcomkit` command). Every stack emits exactly this shape,
 * serialized as JSON, in an output named {@link BINDING_OUTPUT_CFN} (CloudFormation) or
 * {@link BINDING_OUTPUT_TF} (Terraform). From it alone every Airflow setting can be produced.
 *
 * Compatibility: additive changes keep `schemaVersion`; a field removed or changed in meaning bumps it.
 */
import { z } from 'zod';
import { COMPRESSIONS } from './config/common';

export const BINDING_SCHEMA_VERSION = 1 as const;
/** CloudFormation output key of the binding JSON. */
export const BINDING_OUTPUT_CFN = 'AirflowBinding';
/** Terraform output name of the binding JSON. */
export const BINDING_OUTPUT_TF = 'airflow_binding';

export const CLOUDS = ['aws', 'gcp', 'azure'] as const;
export type Cloud = (typeof CLOUDS)[number];

/** URL scheme of `XCOM_OBJECTSTORAGE_PATH` per cloud (Airflow registers only abfs/abfss/adl for Azure). */
export const SCHEME_BY_CLOUD = { aws: 's3', gcp: 'gs', azure: 'abfs' } as const satisfies Record<Cloud, string>;
/** Airflow connection type per cloud. */
export const CONN_TYPE_BY_CLOUD = { aws: 'aws', gcp: 'google_cloud_platform', azure: 'wasb' } as const satisfies Record<Cloud, string>;

/**
 * Where a stack stored a secret connection (identity modes `user` and `key`). The secret's value is
 * the whole Airflow connection in JSON form (`{"conn_type": ..., "login": ..., "password": ...,
 * "extra": {...}}`), exactly what the cloud's Airflow secrets backend returns for the connection id.
 */
export const secretRefSchema = z
  .object({
    store: z.enum(['aws-secrets-manager', 'gcp-secret-manager', 'azure-key-vault']),
    /** Full secret name as stored, prefix included: `airflow/connections/aws_xcoms`. */
    name: z.string().min(1),
    /** Prefix Airflow's secrets backend is configured with (`connections_prefix`). */
    connectionsPrefix: z.string().min(1),
    /** Store-specific locator: AWS secret ARN, GCP `projects/<p>/secrets/<name>`, Azure vault URL. */
    id: z.string().min(1),
  })
  .strict();

export const identitySchema = z
  .object({
    /**
     * `existing`: the stack granted access to principals the user already has (IAM role ARNs, GCP
     * service-account e-mails, Entra principal ids); Airflow runs with that principal's own
     * credentials, so the connection carries no role to assume and no secret.
     */
    mode: z.enum(['user', 'role', 'workload-identity', 'key', 'existing']),
    /**
     * The principal Airflow acts as: IAM user name or role ARN (AWS), service-account e-mail (GCP),
     * managed identity client id (Azure); in mode `existing` the first of `principals`.
     */
    principal: z.string().min(1),
    /** Mode `existing`: every principal granted access. */
    principals: z.array(z.string().min(1)).optional(),
    /** AWS role mode: the role ARN Airflow assumes (`role_arn` in the connection extra). */
    roleArn: z.string().optional(),
    /** Azure workload identity: tenant of the managed identity. */
    tenantId: z.string().optional(),
    /** Kubernetes service accounts bound to the identity (IRSA, GKE/AKS workload identity). */
    kubernetesServiceAccounts: z.array(z.object({ namespace: z.string(), serviceAccount: z.string() }).strict()).optional(),
    /** Set when the credential is a stored secret (modes `user` and `key`). */
    secret: secretRefSchema.optional(),
  })
  .strict();

export const bindingSchema = z
  .object({
    schemaVersion: z.literal(BINDING_SCHEMA_VERSION),
    cloud: z.enum(CLOUDS),
    environment: z.string().min(1),
    storage: z
      .object({
        /** Bucket (S3, GCS) or container (Azure). */
        bucket: z.string().min(1),
        /** Key prefix without leading or trailing "/"; empty only for a dedicated bucket. */
        prefix: z.string(),
        /** AWS region, GCS location or Azure region. */
        region: z.string().min(1),
        /** Azure storage account name. */
        account: z.string().optional(),
      })
      .strict(),
    xcom: z
      .object({
        /** `AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH`: `<scheme>://<conn_id>@<bucket>/<prefix>`. */
        path: z.string().min(1),
        threshold: z.number().int().min(-1),
        compression: z.enum(COMPRESSIONS).nullable(),
      })
      .strict(),
    connection: z
      .object({
        id: z.string().min(1),
        type: z.enum(['aws', 'google_cloud_platform', 'wasb']),
        /** Non-secret connection extras (`region_name`, `role_arn`, `project`, `account_name`, ...). */
        extra: z.record(z.string(), z.string()),
      })
      .strict(),
    identity: identitySchema,
  })
  .strict();

export type AirflowBinding = z.infer<typeof bindingSchema>;
export type SecretStore = SecretRef['store'];

/**
 * The secret name each cloud's Airflow secrets backend looks up for a connection, mirroring the
 * providers exactly: `<prefix><sep><conn_id>`. AWS's SecretsManagerBackend strips trailing "/" from
 * the prefix (sep "/"); GCP's CloudSecretManagerBackend uses sep "-" unless configured otherwise;
 * Azure's AzureKeyVaultBackend strips trailing "-" and turns every "_" into "-" (Key Vault names
 * allow only letters, digits and "-"). The stacks name their secrets with it and xcomkit checks them.
 */
export function connectionSecretName(store: SecretStore, connectionsPrefix: string, connectionId: string, gcpSep = '-'): string {
  switch (store) {
    case 'aws-secrets-manager':
      return `${connectionsPrefix.replace(/\/+$/, '')}/${connectionId}`;
    case 'gcp-secret-manager':
      return `${connectionsPrefix}${gcpSep}${connectionId}`;
    case 'azure-key-vault': {
      const prefix = connectionsPrefix.replace(/-+$/, '');
      return (prefix === '' ? connectionId : `${prefix}-${connectionId}`).replace(/_/g, '-');
    }
  }
}
export type SecretRef = z.infer<typeof secretRefSchema>;
export type BindingIdentity = z.infer<typeof identitySchema>;

/** `<scheme>://<conn_id>@<bucket>/<prefix>` (no trailing slash; a dedicated bucket gives no prefix part). */
export function xcomObjectStoragePath(cloud: Cloud, connId: string, bucket: string, prefix: string): string {
  const base = `${SCHEME_BY_CLOUD[cloud]}://${connId}@${bucket}`;
  return prefix === '' ? base : `${base}/${prefix}`;
}

/** Parses and validates a binding (from a stack output string or an object). */
export function parseBinding(input: unknown): AirflowBinding {
  const value = typeof input === 'string' ? JSON.parse(input) : input;
  return bindingSchema.parse(value);
}
