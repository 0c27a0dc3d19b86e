/**
 * The names and paths of the Airflow binding contract (lib/binding.ts), without its zod schema: what
 * the AWS constructs need, so the jsii package (jsii/README.md) compiles them without zod. Imports
 * nothing; lib/binding.ts re-exports all of it.
 */

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

/** The secret stores a binding can name (`identity.secret.store`). */
export const SECRET_STORES = ['aws-secrets-manager', 'gcp-secret-manager', 'azure-key-vault'] as const;
export type SecretStore = (typeof SECRET_STORES)[number];

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

/** `<scheme>://<conn_id>@<bucket>/<prefix>` (no trailing slash; a dedicated bucket gives no prefix part). */
export function xcomObjectStoragePath(cloud: Cloud, connId: string, bucket: string, prefix: string): string {
  const base = `${SCHEME_BY_CLOUD[cloud]}://${connId}@${bucket}`;
  return prefix === '' ? base : `${base}/${prefix}`;
}
