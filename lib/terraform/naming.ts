/** Names shared by the GCP and Azure stacks. */
import type { Cloud } from '../binding';

/** Stack (and state) name of one cloud in one environment: `gcp-prod`, `azure-dev`. */
export function stackName(cloud: Exclude<Cloud, 'aws'>, environment: string): string {
  return `${cloud}-${environment}`;
}

/**
 * Secret name a secrets backend looks up for a connection, mirroring the Airflow providers exactly:
 * `<prefix><sep><conn_id>`. Azure's AzureKeyVaultBackend also strips trailing separators from the
 * prefix and turns every "_" into the separator (Key Vault names allow only letters, digits and "-").
 */
export function connectionSecretName(store: 'gcp-secret-manager' | 'azure-key-vault', connectionsPrefix: string, connectionId: string): string {
  if (store === 'gcp-secret-manager') return `${connectionsPrefix}-${connectionId}`;
  const prefix = connectionsPrefix.replace(/-+$/, '');
  const path = prefix === '' ? connectionId : `${prefix}-${connectionId}`;
  return path.replace(/_/g, '-');
}
