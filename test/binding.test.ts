import { connectionSecretName } from '../lib/binding';

describe('connection secret names mirror the Airflow secrets backends', () => {
  test.each([
    ['aws-secrets-manager', 'airflow/dev/connections', 'aws_xcoms', 'airflow/dev/connections/aws_xcoms'],
    ['aws-secrets-manager', 'airflow/connections/', 'aws_xcoms', 'airflow/connections/aws_xcoms'],
    ['azure-key-vault', 'airflow-connections', 'azure_xcoms', 'airflow-connections-azure-xcoms'],
    ['azure-key-vault', 'airflow-connections-', 'my__conn', 'airflow-connections-my--conn'],
    ['azure-key-vault', 'conn', 'A_B', 'conn-A-B'],
    ['gcp-secret-manager', 'airflow-connections', 'gcp_xcoms', 'airflow-connections-gcp_xcoms'],
  ] as const)('%s: prefix %j and id %j give %j', (store, prefix, id, expected) => {
    expect(connectionSecretName(store, prefix, id)).toBe(expected);
  });

  test('GCP takes the separator the backend is configured with', () => {
    expect(connectionSecretName('gcp-secret-manager', 'airflow', 'gcp_xcoms', '_')).toBe('airflow_gcp_xcoms');
  });
});
