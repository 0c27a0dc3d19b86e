import { AirflowSettingsError } from '../../lib/airflow/errors';
import { CONFIG_ENV_VAR, CONN_ENV_VAR } from '../../lib/airflow/names';
import { BACKEND_CLASSES, buildSettings, secretsBackendFor, Setting } from '../../lib/airflow/settings';
import { load, modified } from './bindings';

const byName = (settings: readonly Setting[]) => Object.fromEntries(settings.map((s) => [s.name, s.value]));
const MODES = ['aws-user', 'aws-role', 'gcp-workload-identity', 'gcp-key', 'azure-workload-identity', 'azure-key'];

describe('buildSettings', () => {
  test.each(MODES)('every variable name for %s follows Airflow\'s rule', (mode) => {
    for (const s of buildSettings(load(mode)).settings) {
      expect(s.name).toMatch(s.kind === 'config' ? CONFIG_ENV_VAR : s.kind === 'connection' ? CONN_ENV_VAR : /^GCSFS_[A-Z0-9_]+$/);
    }
  });

  test('the stock backend by default, the runtime backend on request', () => {
    expect(byName(buildSettings(load('aws-role')).settings).AIRFLOW__CORE__XCOM_BACKEND).toBe(BACKEND_CLASSES.stock);
    expect(BACKEND_CLASSES.stock).toBe('airflow.providers.common.io.xcom.backend.XComObjectStorageBackend');
    expect(byName(buildSettings(load('aws-role'), { backend: 'xcomkit' }).settings).AIRFLOW__CORE__XCOM_BACKEND).toBe('airflow_xcomkit.backend.XComKitBackend');
  });

  test.each(['gcp-workload-identity', 'gcp-key'])('GCP (%s): gcsfs\'s layout probe is switched off, once, as a plain environment variable', (mode) => {
    const settings = buildSettings(load(mode)).settings.filter((x) => x.name === 'GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT');
    expect(settings).toEqual([expect.objectContaining({ kind: 'env', value: 'false' })]);
  });

  test.each(['aws-role', 'aws-user', 'azure-workload-identity', 'azure-key'])('%s sets no gcsfs variable', (mode) => {
    expect(byName(buildSettings(load(mode)).settings)).not.toHaveProperty('GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT');
  });

  test('a GCS mirror behind an S3 primary also switches the probe off', () => {
    const env = byName(buildSettings(load('aws-role'), { backend: 'xcomkit', mirrors: [load('gcp-workload-identity')] }).settings);
    expect(env.GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT).toBe('false');
  });

  test('omits compression when the binding has none (the provider reads "" or unset as no compression)', () => {
    const env = byName(buildSettings(load('azure-workload-identity')).settings);
    expect(env).not.toHaveProperty('AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION');
    expect(env.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD).toBe('0');
  });

  describe('connections without a stored credential', () => {
    test('AWS role: region and role ARN, no secret', () => {
      const s = buildSettings(load('aws-role'));
      expect(JSON.parse(byName(s.settings).AIRFLOW_CONN_AWS_XCOMS)).toEqual({
        conn_type: 'aws',
        extra: { region_name: 'eu-west-1', role_arn: 'arn:aws:iam::123456789012:role/airflow-xcoms-prod' },
      });
      expect(s.settings.some((x) => x.kind === 'connection' && x.secret)).toBe(false);
      expect(byName(s.settings)).not.toHaveProperty('AIRFLOW__SECRETS__BACKEND');
    });

    test('AWS role: the role ARN comes from the identity when the extra lacks it', () => {
      const b = modified('aws-role', (x) => delete x.connection.extra.role_arn);
      expect(JSON.parse(byName(buildSettings(b as never).settings).AIRFLOW_CONN_AWS_XCOMS).extra.role_arn).toBe(b.identity.roleArn);
    });

    test('GCP workload identity: the project only', () => {
      expect(JSON.parse(byName(buildSettings(load('gcp-workload-identity')).settings).AIRFLOW_CONN_GCP_XCOMS)).toEqual({
        conn_type: 'google_cloud_platform',
        extra: { project: 'my-airflow-project' },
      });
    });

    test('Azure workload identity: the binding\'s extras, plus the blob endpoint as host and account_host', () => {
      const b = load('azure-workload-identity');
      expect(JSON.parse(byName(buildSettings(b).settings).AIRFLOW_CONN_AZURE_XCOMS)).toEqual({
        conn_type: 'wasb',
        host: 'https://airflowxcomsprod0.blob.core.windows.net',
        extra: { ...b.connection.extra, account_host: 'airflowxcomsprod0.blob.core.windows.net' },
      });
    });

    test('Azure: a sovereign-cloud account_host from the stack is kept and becomes the host', () => {
      const b = modified('azure-workload-identity', (x) => (x.connection.extra.account_host = 'airflowxcomsprod0.blob.core.usgovcloudapi.net'));
      const conn = JSON.parse(byName(buildSettings(b as never).settings).AIRFLOW_CONN_AZURE_XCOMS);
      expect(conn.host).toBe('https://airflowxcomsprod0.blob.core.usgovcloudapi.net');
      expect(conn.extra.account_host).toBe('airflowxcomsprod0.blob.core.usgovcloudapi.net');
      expect(JSON.stringify(conn)).not.toContain('core.windows.net');
    });
  });

  describe('stored credentials through the secrets backend', () => {
    test('AWS Secrets Manager: prefix and the region of the secret ARN', () => {
      const env = byName(buildSettings(load('aws-user')).settings);
      expect(env.AIRFLOW__SECRETS__BACKEND).toBe('airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend');
      expect(JSON.parse(env.AIRFLOW__SECRETS__BACKEND_KWARGS)).toEqual({
        connections_prefix: 'airflow/connections',
        variables_prefix: null,
        config_prefix: null,
        region_name: 'eu-west-1',
      });
      expect(env).not.toHaveProperty('AIRFLOW_CONN_AWS_XCOMS');
    });

    test('GCP Secret Manager: prefix, project and separator', () => {
      const env = byName(buildSettings(load('gcp-key')).settings);
      expect(env.AIRFLOW__SECRETS__BACKEND).toBe('airflow.providers.google.cloud.secrets.secret_manager.CloudSecretManagerBackend');
      expect(JSON.parse(env.AIRFLOW__SECRETS__BACKEND_KWARGS)).toEqual({
        connections_prefix: 'airflow-connections',
        variables_prefix: null,
        config_prefix: null,
        project_id: 'my-airflow-project',
        sep: '-',
      });
    });

    test('Azure Key Vault: prefix and vault URL', () => {
      const env = byName(buildSettings(load('azure-key')).settings);
      expect(env.AIRFLOW__SECRETS__BACKEND).toBe('airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend');
      expect(JSON.parse(env.AIRFLOW__SECRETS__BACKEND_KWARGS)).toEqual({
        connections_prefix: 'airflow-connections',
        variables_prefix: null,
        config_prefix: null,
        vault_url: 'https://kv-airflow-xcoms-dev.vault.azure.net/',
      });
    });

    test.each([
      ['aws-user', 'airflow/connections/other', /SecretsManagerBackend looks .*it reads "airflow\/connections\/aws_xcoms"/],
      ['gcp-key', 'airflow-connections_other', /CloudSecretManagerBackend looks .*it reads "airflow-connections-gcp_xcoms"/],
      ['azure-key', 'airflow-connections-azure_xcoms', /AzureKeyVaultBackend looks .*it reads "airflow-connections-azure-xcoms"/],
    ])('%s: refuses a secret name the backend would not find', (mode, name, message) => {
      const b = modified(mode, (x) => (x.identity.secret.name = name));
      expect(() => secretsBackendFor(b as never)).toThrow(message);
    });

    test('a resolved credential becomes a secret connection and no secrets backend is set', () => {
      const s = buildSettings(load('aws-user'), { resolvedConnections: { aws_xcoms: '{"conn_type":"aws","login":"a","password":"b"}' } });
      const conn = s.settings.find((x) => x.kind === 'connection');
      expect(conn).toMatchObject({ name: 'AIRFLOW_CONN_AWS_XCOMS', secret: true });
      expect(byName(s.settings)).not.toHaveProperty('AIRFLOW__SECRETS__BACKEND');
    });
  });

  describe('mirrors', () => {
    test('adds [xcomkit] mirrors and both connections', () => {
      const s = buildSettings(load('aws-role'), { backend: 'xcomkit', mirrors: [load('gcp-workload-identity')] });
      const env = byName(s.settings);
      expect(JSON.parse(env.AIRFLOW__XCOMKIT__MIRRORS)).toEqual(['gs://gcp_xcoms@my-airflow-project-xcoms-prod/xcom']);
      expect(env).toHaveProperty('AIRFLOW_CONN_AWS_XCOMS');
      expect(env).toHaveProperty('AIRFLOW_CONN_GCP_XCOMS');
    });

    test('refuses mirrors with the stock backend', () => {
      expect(() => buildSettings(load('aws-role'), { mirrors: [load('gcp-workload-identity')] })).toThrow(/add --backend xcomkit/);
    });

    test('refuses two bindings using one connection id for different connections', () => {
      const other = modified('aws-user', (x) => (x.environment = 'other'));
      expect(() => buildSettings(load('aws-role'), { backend: 'xcomkit', mirrors: [other as never] })).toThrow(
        /connection id "aws_xcoms" is used by aws\/prod and aws\/other with different connections/,
      );
    });

    test('refuses a mirror at the primary location', () => {
      expect(() => buildSettings(load('aws-role'), { backend: 'xcomkit', mirrors: [load('aws-role')] })).toThrow(/given twice/);
    });

    test('refuses two secrets backends (Airflow has one)', () => {
      expect(() => buildSettings(load('aws-user'), { backend: 'xcomkit', mirrors: [load('gcp-key')] })).toThrow(AirflowSettingsError);
      expect(() => buildSettings(load('aws-user'), { backend: 'xcomkit', mirrors: [load('gcp-key')] })).toThrow(/one secrets backend[\s\S]*--resolve-secrets/);
    });

    test('two secret bindings work when one is resolved', () => {
      const s = buildSettings(load('aws-user'), {
        backend: 'xcomkit',
        mirrors: [load('gcp-key')],
        resolvedConnections: { gcp_xcoms: '{"conn_type":"google_cloud_platform"}' },
      });
      expect(byName(s.settings).AIRFLOW__SECRETS__BACKEND).toMatch(/SecretsManagerBackend/);
    });
  });

  test('collects placeholders', () => {
    const b = modified('aws-role', (x) => (x.identity.roleArn = x.connection.extra.role_arn = '<deploy-time:XcomRole.Arn>'));
    expect(buildSettings(b as never).placeholders).toEqual(['<deploy-time:XcomRole.Arn>']);
  });
});
