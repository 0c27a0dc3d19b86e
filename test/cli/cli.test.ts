import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectionFromSecret } from '../../lib/airflow/secret-connection';
import { cli, FAKE_SECRETS, fakeResolvers, fixture } from './helpers';
import { load } from '../airflow/bindings';

const SECRET_MARKERS = ['AKIAFAKE', 'fake/secret', 'FAKEGCPKEY', 'FAKEAZURE'];
const expectNoSecret = (text: string) => SECRET_MARKERS.forEach((m) => expect(text).not.toContain(m));

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-cli-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const outputs = () => {
  const file = path.join(tmp, 'outputs.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      'xcomkit-dev': { AirflowBinding: fs.readFileSync(fixture('aws-user'), 'utf8') },
      'xcomkit-prod': { AirflowBinding: fs.readFileSync(fixture('aws-role'), 'utf8') },
    }),
  );
  return file;
};

describe('usage and exit codes', () => {
  test('--help lists the commands and exit codes, exit 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/env \[options\] <source>[\s\S]*requirements[\s\S]*show[\s\S]*Exit codes: 0 ok, 1 failure/);
  });

  test.each(['env', 'requirements', 'show'])('%s --help has examples', async (cmd) => {
    const r = await cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}(#|\$)/);
  });

  test.each([
    [['env', fixture('aws-user'), '--bogus']],
    [['nope']],
    [['env']],
    [['env', fixture('aws-user'), '--format', 'toml']],
    [['env', fixture('aws-user'), '--backend', 'custom']],
  ])('commander usage errors exit 2: %p', async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: /);
  });

  test('several bindings and no selection: exit 2 with the list', async () => {
    const r = await cli(['env', outputs()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 bindings found; choose one with --cloud and --env:[\s\S]*--cloud aws --env dev[\s\S]*--cloud aws --env prod/);
  });

  test('--env selects', async () => {
    const r = await cli(['env', outputs(), '--env', 'prod', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('AIRFLOW_CONN_AWS_XCOMS');
  });

  test('an invalid binding: exit 1, the field, the value and the fix', async () => {
    const b = load('azure-key');
    b.xcom.path = 'wasb://azure_xcoms@xcoms/xcom';
    const file = path.join(tmp, 'b.json');
    fs.writeFileSync(file, JSON.stringify(b));
    const r = await cli(['env', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/xcom.path "wasb:\/\/azure_xcoms@xcoms\/xcom" must use "abfs:\/\/"/);
    expect(r.stdout).toBe('');
  });
});

describe('mirrors', () => {
  test('refused without the runtime backend: exit 2', async () => {
    const r = await cli(['env', fixture('aws-role'), '--mirror', fixture('gcp-workload-identity')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mirror needs the runtime backend: add --backend xcomkit/);
  });

  test('the same connection id for two different connections: exit 1', async () => {
    const r = await cli(['env', fixture('aws-role'), '--backend', 'xcomkit', '--mirror', fixture('aws-user')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connection id "aws_xcoms" is used by aws\/prod and aws\/dev with different connections/);
  });

  test('a selector picks the mirror among several', async () => {
    const r = await cli(['env', fixture('gcp-workload-identity'), '--backend', 'xcomkit', '--mirror', `${outputs()}#aws/prod`, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(JSON.parse(r.stdout).AIRFLOW__XCOMKIT__MIRRORS)).toEqual(['s3://aws_xcoms@airflow-xcoms-prod-123456789012-eu-west-1/xcom']);
  });

  test('requirements cover both clouds and the runtime backend', async () => {
    const r = await cli(['requirements', fixture('aws-role'), '--backend', 'xcomkit', '--mirror', fixture('azure-key')]);
    expect(r.stdout).toMatch(/apache-airflow-providers-common-io[\s\S]*apache-airflow-providers-amazon\[s3fs\][\s\S]*apache-airflow-providers-microsoft-azure[\s\S]*\.\/runtime\[aws,azure\]/);
  });
});

describe('requirements', () => {
  test.each([
    ['azure-key', 'lz4'],
    ['gcp-workload-identity', 'zstandard'],
  ])('%s adds the codec library %s', async (mode, lib) => {
    expect((await cli(['requirements', fixture(mode)])).stdout).toMatch(new RegExp(`^${lib} `, 'm'));
  });
});

describe('secrets policy', () => {
  test.each(['aws-user', 'gcp-key', 'azure-key'])('%s: by default no secret is read and none is printed', async (mode) => {
    const calls: string[] = [];
    for (const format of ['dotenv', 'shell', 'json', 'k8s', 'helm']) {
      const r = await cli(['env', fixture(mode), '--format', format], { resolverFactory: fakeResolvers(calls), isTTY: true });
      expect(r.code).toBe(0);
      expectNoSecret(r.stdout + r.stderr);
      expect(r.stdout).toMatch(/AIRFLOW__SECRETS__BACKEND/);
    }
    expect(calls).toEqual([]);
  });

  test.each([true, false])('--resolve-secrets to stdout is refused before reading (TTY: %s)', async (isTTY) => {
    const calls: string[] = [];
    const r = await cli(['env', fixture('aws-user'), '--resolve-secrets'], { resolverFactory: fakeResolvers(calls), isTTY });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/add --output <file> \(written with mode 0600\), or --show-secrets/);
    expect(calls).toEqual([]);
    expectNoSecret(r.stdout + r.stderr);
  });

  test('--resolve-secrets --output writes the credential to a 0600 file, not to stdout', async () => {
    const out = path.join(tmp, '.env');
    const calls: string[] = [];
    const r = await cli(['env', fixture('gcp-key'), '--resolve-secrets', '-o', out], { resolverFactory: fakeResolvers(calls) });
    expect(r.code).toBe(0);
    expect(calls).toEqual(['gcp-secret-manager:airflow-connections-gcp_xcoms']);
    expectNoSecret(r.stdout + r.stderr);
    expect(fs.readFileSync(out, 'utf8')).toContain('FAKEGCPKEY');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });

  test('--show-secrets prints them when asked', async () => {
    const r = await cli(['env', fixture('azure-key'), '--resolve-secrets', '--show-secrets'], { resolverFactory: fakeResolvers() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("AIRFLOW_CONN_AZURE_XCOMS='");
    expect(r.stdout).toContain('FAKEAZURE');
    expect(r.stdout).not.toContain('AIRFLOW__SECRETS__BACKEND');
  });

  test('helm needs --secret-output for resolved credentials, and its values stay secret-free', async () => {
    const refused = await cli(['env', fixture('aws-user'), '--format', 'helm', '--resolve-secrets'], { resolverFactory: fakeResolvers() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs --secret-output <file>/);
    const secretFile = path.join(tmp, 'secret.yaml');
    const r = await cli(['env', fixture('aws-user'), '--format', 'helm', '--resolve-secrets', '--secret-output', secretFile], { resolverFactory: fakeResolvers() });
    expect(r.code).toBe(0);
    expectNoSecret(r.stdout);
    expect(fs.readFileSync(secretFile, 'utf8')).toContain('AKIAFAKE');
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
  });

  test('MWAA with --resolve-secrets is refused', async () => {
    const r = await cli(['env', fixture('aws-user'), '--format', 'mwaa', '--resolve-secrets'], { resolverFactory: fakeResolvers() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MWAA configuration options are not secret/);
  });

  test('a store error: exit 1, says what to check, no secret', async () => {
    const r = await cli(['env', fixture('aws-user'), '--resolve-secrets', '-o', path.join(tmp, 'x')], {
      resolverFactory: async () => ({ resolve: async () => Promise.reject(new Error('AccessDeniedException: not authorized')) }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not read aws-secrets-manager secret "airflow\/connections\/aws_xcoms" .*AccessDenied.*drop --resolve-secrets/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(tmp, 'x'))).toBe(false);
  });

  test('a secret of the wrong shape is refused without quoting it', async () => {
    const r = await cli(['env', fixture('aws-user'), '--resolve-secrets', '-o', path.join(tmp, 'x')], {
      resolverFactory: async () => ({ resolve: async () => 'hunter2-plain-text' }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds neither an Airflow connection JSON/);
    expect(r.stderr).not.toContain('hunter2');
  });

  test('a secret whose location is only known after deployment is not resolved', async () => {
    const b = load('aws-user');
    b.identity.secret!.id = '<deploy-time:IdentitySecret1234>';
    const file = path.join(tmp, 'b.json');
    fs.writeFileSync(file, JSON.stringify(b));
    const r = await cli(['env', file, '--resolve-secrets', '-o', path.join(tmp, 'x')], { resolverFactory: fakeResolvers() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only known after deployment/);
  });
});

describe('connectionFromSecret', () => {
  test('connection JSON is used as stored', () => {
    expect(JSON.parse(connectionFromSecret(FAKE_SECRETS['aws-secrets-manager'], load('aws-user'))).login).toBe('AKIAFAKEFAKEFAKE1234');
  });
  test('a connection of another type is refused', () => {
    expect(() => connectionFromSecret(FAKE_SECRETS['azure-key-vault'], load('aws-user'))).toThrow(/holds a "wasb" connection, the binding expects "aws"/);
  });
  test('a raw GCP service-account key becomes keyfile_dict', () => {
    const conn = JSON.parse(connectionFromSecret(JSON.stringify({ type: 'service_account', private_key: 'k' }), load('gcp-key')));
    expect(conn).toEqual({ conn_type: 'google_cloud_platform', extra: { project: 'my-airflow-project', keyfile_dict: { type: 'service_account', private_key: 'k' } } });
  });
  test('a raw Azure connection string becomes extra.connection_string', () => {
    const conn = JSON.parse(connectionFromSecret('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k', load('azure-key')));
    expect(conn.extra.connection_string).toBe('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k');
  });
  test('raw AWS access keys become login/password', () => {
    const conn = JSON.parse(connectionFromSecret(JSON.stringify({ AccessKeyId: 'A', SecretAccessKey: 'S' }), load('aws-user')));
    expect(conn).toEqual({ conn_type: 'aws', login: 'A', password: 'S', extra: { region_name: 'eu-west-1' } });
  });
});

describe('terminal experience', () => {
  const placeholderBinding = () => {
    const b = load('aws-role');
    b.storage.bucket = '<deploy-time:XcomsBucket1>';
    b.xcom.path = 's3://aws_xcoms@<deploy-time:XcomsBucket1>/xcom';
    const file = path.join(tmp, 'b.json');
    fs.writeFileSync(file, JSON.stringify(b));
    return file;
  };

  test('placeholders: a stderr warning and a comment beside the value', async () => {
    const r = await cli(['env', placeholderBinding()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: not deployable yet: 1 deploy-time placeholder\(s\) \(<deploy-time:XcomsBucket1>\)/);
    expect(r.stdout).toMatch(/# deploy-time value: <deploy-time:XcomsBucket1>\nAIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH=/);
    expect(r.stdout).not.toMatch(/=''/);
  });

  test('--quiet leaves stderr empty', async () => {
    expect((await cli(['--quiet', 'env', placeholderBinding()])).stderr).toBe('');
    expect((await cli(['env', placeholderBinding(), '-q'])).stderr).toBe('');
  });

  test('colour only on a terminal, never with NO_COLOR or --no-color', async () => {
    const esc = '\u001b[';
    expect((await cli(['env', placeholderBinding()], { isTTY: true })).stderr).toContain(esc);
    expect((await cli(['env', placeholderBinding()], { isTTY: false })).stderr).not.toContain(esc);
    expect((await cli(['env', placeholderBinding()], { isTTY: true, env: { NO_COLOR: '1' } })).stderr).not.toContain(esc);
    expect((await cli(['--no-color', 'env', placeholderBinding()], { isTTY: true })).stderr).not.toContain(esc);
  });

  test('show lists every binding of a source', async () => {
    const r = await cli(['show', outputs()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/aws\/dev[\s\S]*secret {6}AWS Secrets Manager[\s\S]*aws\/prod[\s\S]*identity {4}role/);
  });
});
