/**
 * The real entry point (`node bin/xcomkit.js`) end to end: exit codes, file modes, --force, no partial
 * file, and secret resolution against a real local AWS Secrets Manager (moto server, when the
 * project's Python venv exists: `bash scripts/setup-python.sh`).
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, ROOT } from './helpers';

const BIN = path.join(ROOT, 'bin/xcomkit.js');
const MOTO = path.join(ROOT, '.venv/bin/moto_server');

function xcomkit(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-e2e-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('bin/xcomkit.js', () => {
  test('--help exits 0; a usage error exits 2; a failure exits 1', () => {
    expect(xcomkit(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: xcomkit') });
    expect(xcomkit(['env', fixture('aws-user'), '--nope']).code).toBe(2);
    expect(xcomkit(['env', path.join(tmp, 'missing.json')])).toMatchObject({ code: 1, stderr: expect.stringContaining('does not exist') });
  });

  test('--output: mode 0600; an existing file needs --force', () => {
    const out = path.join(tmp, 'airflow.env');
    expect(xcomkit(['env', fixture('aws-role'), '-o', out]).code).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    fs.writeFileSync(out, 'mine');
    const refused = xcomkit(['env', fixture('aws-role'), '-o', out]);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('exists; pass --force') });
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');
    expect(xcomkit(['env', fixture('aws-role'), '-o', out, '--force']).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('AIRFLOW__CORE__XCOM_BACKEND=');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });

  test('a failed run leaves no file, partial or temporary', () => {
    const out = path.join(tmp, 'airflow.env');
    // MWAA refuses a GCP workload identity after the binding was read: the failure comes late.
    expect(xcomkit(['env', fixture('gcp-workload-identity'), '--format', 'mwaa', '-o', out]).code).toBe(1);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(url: string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

// CI installs moto (scripts/setup-python.sh): there a missing server fails the suite instead of skipping it.
(fs.existsSync(MOTO) || process.env.CI === 'true' ? describe : describe.skip)('--resolve-secrets against moto (AWS Secrets Manager)', () => {
  let moto: ChildProcess | undefined;
  let endpoint: string;
  let bindingFile: string;
  const credentials = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  const secret = JSON.stringify({ conn_type: 'aws', login: 'AKIAMOTOSECRET000001', password: 'moto-secret-value-000001', extra: { region_name: 'eu-west-1' } });

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitFor(`${endpoint}/moto-api/`, 20_000);
    const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const created = await client.send(new CreateSecretCommand({ Name: 'airflow/connections/aws_xcoms', SecretString: secret }));
    client.destroy();
    const b = JSON.parse(fs.readFileSync(fixture('aws-user'), 'utf8'));
    b.identity.secret.id = created.ARN;
    bindingFile = path.join(os.tmpdir(), `xcomkit-moto-binding-${process.pid}.json`);
    fs.writeFileSync(bindingFile, JSON.stringify(b));
  }, 30_000);

  afterAll(() => {
    if (moto?.pid) process.kill(moto.pid);
    if (bindingFile) fs.rmSync(bindingFile, { force: true });
  });

  test('default mode: the secret is never read and never printed', () => {
    const r = xcomkit(['env', bindingFile], { ...credentials, AWS_ENDPOINT_URL: endpoint });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('moto-secret-value');
    expect(r.stdout).toContain('AIRFLOW__SECRETS__BACKEND=');
  });

  test('--resolve-secrets without --output is refused and prints nothing secret', () => {
    const r = xcomkit(['env', bindingFile, '--resolve-secrets'], { ...credentials, AWS_ENDPOINT_URL: endpoint });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('moto-secret-value');
  });

  test('--resolve-secrets --output: the connection from Secrets Manager, in a 0600 file only', () => {
    const out = path.join(tmp, 'airflow.env');
    const r = xcomkit(['env', bindingFile, '--resolve-secrets', '-o', out], { ...credentials, AWS_ENDPOINT_URL: endpoint });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('moto-secret-value');
    expect(fs.readFileSync(out, 'utf8')).toContain(`AIRFLOW_CONN_AWS_XCOMS='${secret}'`);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });

  test('a secret that does not exist: exit 1 with what to check', () => {
    const b = JSON.parse(fs.readFileSync(bindingFile, 'utf8'));
    b.identity.secret.id = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/connections/aws_xcoms-nope00';
    const other = path.join(tmp, 'b.json');
    fs.writeFileSync(other, JSON.stringify(b));
    const r = xcomkit(['env', other, '--resolve-secrets', '-o', path.join(tmp, 'x.env')], { ...credentials, AWS_ENDPOINT_URL: endpoint });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not read aws-secrets-manager secret .*ResourceNotFoundException.*the secret does not exist: deploy the stack first/);
    expect(fs.existsSync(path.join(tmp, 'x.env'))).toBe(false);
  });
});
