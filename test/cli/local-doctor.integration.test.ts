/**
 * `xcomkit local up|down|status` and `xcomkit doctor` against the real local servers: the dev
 * stacks synthesized into a temporary directory, deployed by `local up` (moto with IAM enforcement,
 * the GCS emulator, Azurite), the settings `xcomkit env` writes from the local outputs, and every
 * doctor check passing on them and failing on deliberately broken copies.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, ROOT } from './helpers';

const PY = path.join(ROOT, '.venv/bin/python');
const MOTO = path.join(ROOT, '.venv/bin/moto_server');
const CLOUDS = ['aws', 'gcp', 'azure'] as const;
const LONG = 180_000;

interface DoctorJson {
  ok: boolean;
  summary: { pass: number; fail: number; notChecked: number };
  checks: Array<{ id: string; status: string; detail: string; fix?: string }>;
}

let tmp: string;
let state: string;
let ambient: Record<string, string>;
const envFile: Record<string, string> = {};
const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...ambient });

function readEnv(file: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1).replace(/^'(.*)'$/, '$1')];
      }),
  );
}

function writeEnv(name: string, vars: Record<string, string>): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n');
  return file;
}

async function doctor(args: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<{ code: number; report: DoctorJson }> {
  const r = await cli(['doctor', ...args, '--json'], { env });
  const report = JSON.parse(r.stdout) as DoctorJson;
  // Every failure, whichever check and whichever run, says how to fix it.
  expect(report.checks.filter((c) => c.status === 'fail' && !c.fix?.trim()).map((c) => c.id)).toEqual([]);
  return { code: r.code, report };
}

interface NotEnforced {
  [cloud: string]: Array<{ limit: string; covered_by: string }>;
}

/** `not_enforced` of `local up/status --json`: every deployed cloud, each limit with what covers it. */
function expectNotEnforced(listed: NotEnforced, clouds: readonly string[]) {
  expect(Object.keys(listed)).toEqual([...clouds]);
  for (const cloud of clouds) {
    expect(listed[cloud].length).toBeGreaterThan(0);
    for (const row of listed[cloud]) expect(row).toEqual({ limit: expect.stringMatching(/\S/), covered_by: expect.stringMatching(/\S/) });
  }
  expect(listed.aws.map((r) => r.limit)).toContain('IAM conditions (moto evaluates actions and resources only)');
  expect(listed.gcp.map((r) => r.covered_by).join('\n')).toContain('test/gcp/iam.test.ts');
  expect(listed.azure.map((r) => r.covered_by).join('\n')).toContain('test/azure/abac.test.ts');
}

/** moto of `local up` (IAM enforced) through test/cli/moto-identities.py: set-up calls in a window it closes again. */
function motoAdmin(command: string, ...args: string[]): unknown {
  const aws = JSON.parse(fs.readFileSync(path.join(state, 'state.json'), 'utf8'));
  const r = spawnSync(PY, [path.join(ROOT, 'test/cli/moto-identities.py'), command, aws.servers.moto.url, aws.deployed.aws.region, ...args], { encoding: 'utf8', timeout: 60_000 });
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

let upJson: { not_enforced: NotEnforced; servers: Record<string, unknown> };

const statusOf = (report: DoctorJson) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const checkOf = (report: DoctorJson, id: string) => report.checks.find((c) => c.id === id)!;

const available = fs.existsSync(PY) || process.env.CI === 'true';
(available ? describe : describe.skip)('xcomkit local + doctor against the local servers', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-local-'));
    state = path.join(tmp, 'state');
    // The fast synth, as `npm run quickstart` makes it (its output is the CLI path's: test/apps/synth.integration.test.ts).
    const synth = spawnSync(process.execPath, ['dist/bin/synth.js', '--env', 'dev', '-q', '--cdk-out', path.join(tmp, 'cdk.out'), '--cdktf-out', path.join(tmp, 'cdktf.out')], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: synth.status, stderr: synth.status === 0 ? '' : synth.stderr }).toEqual({ status: 0, stderr: '' });
    const up = await cli(['local', 'up', '--env', 'dev', '--cdk-out', path.join(tmp, 'cdk.out'), '--cdktf-out', path.join(tmp, 'cdktf.out'), '--state-dir', state, '--json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(up).toMatchObject({ code: 0, stderr: '' });
    upJson = JSON.parse(up.stdout);
    ambient = readEnv(path.join(state, 'dev', 'ambient.env'));
    for (const cloud of CLOUDS) {
      const out = path.join(tmp, `${cloud}.env`);
      const r = await cli(['env', path.join(state, 'dev', `${cloud}-outputs.json`), '-o', out, '-q'], { env: baseEnv() });
      expect(r.code).toBe(0);
      envFile[cloud] = out;
    }
  }, LONG);

  afterAll(async () => {
    if (state) {
      const down = await cli(['local', 'down', '--state-dir', state], { env: { PATH: process.env.PATH } });
      expect(down.stdout).toMatch(/stopped moto\nstopped gcs\nstopped azurite/);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, LONG);

  describe('local', () => {
    test('status: three servers running on loopback, what is deployed, and what the servers cannot enforce', async () => {
      const text = await cli(['local', 'status', '--state-dir', state], { env: { PATH: process.env.PATH } });
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/moto +http:\/\/127\.0\.0\.1:\d+ +pid \d+ +running/);
      expect(text.stdout).toContain('enforced     IAM on every request after set-up');
      expect(text.stdout).toContain('Not enforced by the local servers');
      expect(text.stdout).toContain('covered by: IAM policy simulator over the synthesized policy');
      const json = JSON.parse((await cli(['local', 'status', '--state-dir', state, '--json'], { env: { PATH: process.env.PATH } })).stdout);
      expect(Object.keys(json.servers)).toEqual(['moto', 'gcs', 'azurite']);
      for (const s of Object.values(json.servers) as Array<{ running: boolean; pid: number; url: string }>) {
        expect(s).toMatchObject({ running: true, pid: expect.any(Number), url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
      }
      expectNotEnforced(json.not_enforced, CLOUDS);
    });

    test('up --json and status --json list what the local servers cannot enforce, as the text does', async () => {
      expect(Object.keys(upJson.servers)).toEqual(['moto', 'gcs', 'azurite']);
      expectNotEnforced(upJson.not_enforced, CLOUDS);
      const json = JSON.parse((await cli(['local', 'status', '--state-dir', state, '--json'], { env: { PATH: process.env.PATH } })).stdout);
      expect(json.not_enforced).toEqual(upJson.not_enforced);
      const text = (await cli(['local', 'status', '--state-dir', state], { env: { PATH: process.env.PATH } })).stdout;
      for (const rows of Object.values(upJson.not_enforced)) {
        for (const row of rows) {
          expect(text).toContain(row.limit);
          expect(text).toContain(`covered by: ${row.covered_by}`);
        }
      }
    });

    test('a second local up is refused while the first runs, and changes nothing', async () => {
      const again = await cli(['local', 'up', '--state-dir', state], { env: { PATH: process.env.PATH } });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('a local cloud is already up');
      const json = JSON.parse((await cli(['local', 'status', '--state-dir', state, '--json'], { env: { PATH: process.env.PATH } })).stdout);
      expect(Object.values(json.servers).map((s) => (s as { running: boolean }).running)).toEqual([true, true, true]);
    });

    test('outputs have the shapes of cdk deploy --outputs-file and terraform output -json', () => {
      const aws = JSON.parse(fs.readFileSync(path.join(state, 'dev', 'aws-outputs.json'), 'utf8'));
      expect(Object.keys(aws)).toEqual(['AirflowXcoms-dev']);
      expect(typeof aws['AirflowXcoms-dev'].AirflowBinding).toBe('string');
      expect(aws['AirflowXcoms-dev'].BucketName).toMatch(/^airflowxcoms-dev-xcomsbucket[0-9a-f]{8}-[0-9a-f]{12}$/);
      const gcp = JSON.parse(fs.readFileSync(path.join(state, 'dev', 'gcp-outputs.json'), 'utf8'));
      expect(gcp.airflow_binding).toEqual({ sensitive: false, type: 'string', value: expect.any(String) });
      expect(gcp.service_account_email.value).toBe('airflow-xcoms-dev@my-airflow-project.iam.gserviceaccount.com');
    });

    test.each(CLOUDS)('xcomkit env on the %s outputs: real values, the endpoint as a connection extra, marked local', async (cloud) => {
      const r = await cli(['env', path.join(state, 'dev', `${cloud}-outputs.json`)], { env: baseEnv() });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('<deploy-time:');
      expect(r.stdout).toMatch(/# Note: LOCAL: these settings point at local servers \(xcomkit local up\)/);
      const key = { aws: 'endpoint_url', gcp: 'gcs.endpoint', azure: 'blob_endpoint' }[cloud];
      const shown = await cli(['show', path.join(state, 'dev', `${cloud}-outputs.json`)], { env: {} });
      expect(shown.stdout).toMatch(new RegExp(`${key.replace('.', '\\.')}=http://127\\.0\\.0\\.1:\\d+`));
    });
  });

  describe('doctor on what local up deployed', () => {
    test('aws: every check passes (moto enforces IAM): exit 0', async () => {
      const { code, report } = await doctor([envFile.aws, '--python', PY]);
      expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
      expect(statusOf(report)).toMatchObject({ 'connection-live': 'pass', write: 'pass', read: 'pass', list: 'pass', 'outside-prefix': 'pass', 'bucket-change': 'pass', delete: 'pass' });
      expect(checkOf(report, 'connection-live').detail).toContain('from SecretsManagerBackend');
      expect(report.ok).toBe(true);
      expect(code).toBe(0);
    }, LONG);

    test.each(['gcp', 'azure'])('%s: the refusals are "not enforced here", not a pass: exit 3', async (cloud) => {
      const { code, report } = await doctor([envFile[cloud], '--python', PY]);
      const notPassed = report.checks.filter((c) => c.status !== 'pass');
      expect(notPassed.map((c) => [c.id, c.status])).toEqual([
        ['outside-prefix', 'not-checked'],
        ['bucket-change', 'not-checked'],
      ]);
      for (const c of notPassed) expect(c.detail).toMatch(/^not enforced here: http:\/\/127\.0\.0\.1:\d+/);
      expect(report.ok).toBe(false);
      expect(code).toBe(3);
    }, LONG);

    test('reads deploy outputs and the current environment as well as a .env file', async () => {
      const outputs = await doctor([path.join(state, 'dev', 'aws-outputs.json'), '--python', PY]);
      expect(outputs.code).toBe(0);
      const current = await doctor(['--python', PY], { ...baseEnv(), ...readEnv(envFile.aws) });
      expect(current.code).toBe(0);
    }, LONG);

    test('leaves nothing behind: no probe object under the prefix or outside it', async () => {
      await doctor([envFile.gcp, '--python', PY]);
      const bucket = readEnv(envFile.gcp).AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH.split('@')[1].split('/')[0];
      const listing = (await (await fetch(`${ambient.STORAGE_EMULATOR_HOST}/storage/v1/b/${bucket}/o`)).json()) as { items?: Array<{ name: string }> };
      expect((listing.items ?? []).map((o) => o.name).filter((n) => n.includes('xcomkit-doctor'))).toEqual([]);
    }, LONG);

    test('without --python the live checks are not checked: exit 3', async () => {
      const { code, report } = await doctor([envFile.aws]);
      expect(checkOf(report, 'write')).toMatchObject({ status: 'not-checked', detail: expect.stringContaining('add --python') });
      expect(report.summary.fail).toBe(0);
      expect(code).toBe(3);
    });
  });

  describe('doctor on deliberately broken settings', () => {
    const broken = (name: string, change: (v: Record<string, string>) => Record<string, string>) => writeEnv(`${name}.env`, change(readEnv(envFile.aws)));

    test('wrong prefix: the write is refused by IAM, with the fix', async () => {
      const file = broken('wrong-prefix', (v) => ({ ...v, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: v.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH.replace(/\/xcom$/, '/xcoms') }));
      const { code, report } = await doctor([file, '--python', PY]);
      expect(checkOf(report, 'path').status).toBe('pass');
      expect(checkOf(report, 'write')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/PermissionError: (Forbidden|Access Denied)/), fix: expect.stringContaining("the stack's prefix") });
      expect(checkOf(report, 'delete').status).toBe('not-checked');
      expect(code).toBe(1);
    }, LONG);

    test('missing connection: no AIRFLOW_CONN_ and no secrets backend', async () => {
      const file = broken('no-connection', (v) => {
        const { AIRFLOW__SECRETS__BACKEND: _b, AIRFLOW__SECRETS__BACKEND_KWARGS: _k, ...rest } = v;
        return rest;
      });
      const { code, report } = await doctor([file, '--python', PY]);
      expect(checkOf(report, 'connection')).toMatchObject({ status: 'fail', detail: expect.stringContaining('missing connection'), fix: expect.stringContaining('AIRFLOW_CONN_AWS_XCOMS') });
      expect(checkOf(report, 'write')).toMatchObject({ status: 'not-checked', detail: expect.stringContaining('static check above failed') });
      expect(code).toBe(1);
    }, LONG);

    test('the secrets backend looks under another prefix: the connection does not resolve', async () => {
      const file = broken('wrong-secret-prefix', (v) => ({ ...v, AIRFLOW__SECRETS__BACKEND_KWARGS: v.AIRFLOW__SECRETS__BACKEND_KWARGS.replace('airflow/dev/connections', 'airflow/connections') }));
      const { code, report } = await doctor([file, '--python', PY]);
      expect(checkOf(report, 'connection-live')).toMatchObject({ status: 'fail', detail: expect.stringContaining("no backend has connection 'aws_xcoms'") });
      expect(code).toBe(1);
    }, LONG);

    test('a codec fsspec lacks here (lz4 without the lz4 package), and one it never has (snappy)', async () => {
      const lz4 = await doctor([broken('lz4', (v) => ({ ...v, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION: 'lz4' })), '--python', PY]);
      expect(checkOf(lz4.report, 'compression').status).toBe('pass');
      expect(checkOf(lz4.report, 'compression-live')).toMatchObject({ status: 'fail', fix: expect.stringContaining('pip install lz4') });
      expect(checkOf(lz4.report, 'packages')).toMatchObject({ status: 'fail', detail: expect.stringContaining('lz4 (import lz4.frame') });
      expect(lz4.code).toBe(1);
      const snappy = await doctor([broken('snappy', (v) => ({ ...v, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION: 'snappy' })), '--python', PY]);
      expect(checkOf(snappy.report, 'compression')).toMatchObject({ status: 'fail', fix: 'use "zstd"' });
      expect(snappy.code).toBe(1);
    }, LONG);

    test('a backend class that does not import', async () => {
      const { code, report } = await doctor([broken('backend', (v) => ({ ...v, AIRFLOW__CORE__XCOM_BACKEND: 'my_company.xcom.Backend' })), '--python', PY]);
      expect(checkOf(report, 'backend').status).toBe('pass');
      expect(checkOf(report, 'backend-import')).toMatchObject({ status: 'fail', detail: expect.stringContaining("No module named 'my_company'") });
      expect(code).toBe(1);
    }, LONG);

    test('a misspelt name, a threshold that is no number, a connection of another type: each fails with its fix, and nothing live runs on them', async () => {
      const file = broken('static', (v) => ({
        ...v,
        AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_TRESHOLD: '1024',
        AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD: 'one-kb',
        AIRFLOW_CONN_AWS_XCOMS: JSON.stringify({ conn_type: 'google_cloud_platform' }),
      }));
      const { code, report } = await doctor([file, '--python', PY]);
      expect(checkOf(report, 'names')).toMatchObject({ status: 'fail', detail: expect.stringContaining('AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_TRESHOLD is ignored by Airflow; rename it to AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD'), fix: expect.stringContaining('xcomkit env') });
      expect(checkOf(report, 'threshold')).toMatchObject({ status: 'fail', detail: expect.stringContaining('"one-kb"'), fix: expect.stringContaining('write a number of bytes') });
      expect(checkOf(report, 'connection')).toMatchObject({ status: 'fail', detail: expect.stringContaining('conn_type "google_cloud_platform"'), fix: 'set conn_type to "aws"' });
      expect(checkOf(report, 'write')).toMatchObject({ status: 'not-checked', detail: expect.stringContaining('static check above failed') });
      expect(code).toBe(1);
    }, LONG);

    test('a path that names no connection fails with the path to write', async () => {
      const file = broken('no-conn-id', (v) => ({ ...v, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: v.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH.replace('aws_xcoms@', '') }));
      const { code, report } = await doctor([file, '--python', PY]);
      expect(checkOf(report, 'path')).toMatchObject({ status: 'fail', detail: expect.stringContaining('names no connection'), fix: expect.stringMatching(/^write s3:\/\/<conn_id>@[^/]+\/xcom$/) });
      expect(checkOf(report, 'write').status).toBe('not-checked');
      expect(code).toBe(1);
    }, LONG);

    test('an interpreter that does not exist fails the probe with the fix', async () => {
      const { code, report } = await doctor([envFile.aws, '--python', path.join(tmp, 'no-python')]);
      expect(checkOf(report, 'probe')).toMatchObject({ status: 'fail', detail: expect.stringContaining('not found') });
      expect(code).toBe(1);
    });
  });

  describe("doctor with the stack's grant minus one action (moto enforces IAM)", () => {
    let connection: Record<string, unknown>;
    let users: Record<string, { login: string; password: string }>;
    let bucket: string;
    const PROBES = 'xcom/xcomkit-doctor/';
    const probesLeft = () => motoAdmin('keys', bucket, PROBES) as string[];

    beforeAll(() => {
      ({ connection, users } = motoAdmin('grant-minus', 's3:GetObject', 's3:ListBucket', 's3:DeleteObject') as { connection: Record<string, unknown>; users: Record<string, { login: string; password: string }> });
      bucket = JSON.parse(fs.readFileSync(path.join(state, 'state.json'), 'utf8')).deployed.aws.bucket;
      expect(probesLeft()).toEqual([]);
    }, LONG);

    /** The aws settings with the connection in AIRFLOW_CONN_ (the secret holds the stack user's key), signed by that user's key. */
    const minus = (action: string) =>
      writeEnv(`minus-${action.replace(':', '-')}.env`, {
        ...Object.fromEntries(Object.entries(readEnv(envFile.aws)).filter(([k]) => !k.startsWith('AIRFLOW__SECRETS__'))),
        AIRFLOW_CONN_AWS_XCOMS: JSON.stringify({ ...connection, ...users[action] }),
      });

    test('without s3:GetObject: the look-up before the write and the read fail, with fixes; nothing is left behind', async () => {
      const { code, report } = await doctor([minus('s3:GetObject'), '--python', PY]);
      expect(checkOf(report, 'connection-live')).toMatchObject({ status: 'pass', detail: expect.stringContaining('EnvironmentVariablesBackend') });
      expect(checkOf(report, 'write')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/exists\(\) before the write: PermissionError: .*a plain write \(without the look-up\) was allowed/), fix: expect.stringContaining('s3:GetObject') });
      expect(checkOf(report, 'read')).toMatchObject({ status: 'fail', detail: expect.stringContaining('PermissionError'), fix: 'grant object read under the prefix' });
      expect(checkOf(report, 'list').status).toBe('pass');
      expect(checkOf(report, 'bucket-change').status).toBe('pass');
      // Gone, seen through the listing (the look-up is refused).
      expect(checkOf(report, 'delete')).toMatchObject({ status: 'pass', detail: expect.stringContaining('deleted') });
      expect(report.ok).toBe(false);
      expect(code).toBe(1);
      expect(probesLeft()).toEqual([]);
    }, LONG);

    test('without s3:ListBucket: the listing fails, with the fix; the delete cannot be verified, so it is not a pass', async () => {
      const { code, report } = await doctor([minus('s3:ListBucket'), '--python', PY]);
      expect(checkOf(report, 'write')).toMatchObject({ status: 'fail', detail: expect.stringContaining('exists() before the write'), fix: expect.stringContaining('s3:ListBucket') });
      expect(checkOf(report, 'read').status).toBe('pass');
      expect(checkOf(report, 'list')).toMatchObject({ status: 'fail', detail: expect.stringContaining('PermissionError'), fix: 'grant listing under the prefix' });
      expect(checkOf(report, 'delete')).toMatchObject({ status: 'not-checked', detail: expect.stringContaining('cannot be asked here') });
      expect(code).toBe(1);
      expect(probesLeft()).toEqual([]);
    }, LONG);

    test('without s3:DeleteObject: the delete fails and names the object left behind, with the fix', async () => {
      const { code, report } = await doctor([minus('s3:DeleteObject'), '--python', PY]);
      expect(statusOf(report)).toMatchObject({ write: 'pass', read: 'pass', list: 'pass', 'outside-prefix': 'pass', 'bucket-change': 'pass', delete: 'fail' });
      const del = checkOf(report, 'delete');
      expect(del).toMatchObject({ detail: expect.stringMatching(/is left behind: PermissionError/), fix: expect.stringContaining('grant object delete under the prefix') });
      expect(code).toBe(1);
      // What is left is exactly the object the row names (and the fix tells to delete by hand).
      const left = probesLeft();
      expect(left).toHaveLength(1);
      expect(del.detail).toContain(left[0]);
      expect(del.fix).toContain(left[0]);
      motoAdmin('delete', bucket, ...left);
      expect(probesLeft()).toEqual([]);
    }, LONG);
  });

  describe('doctor leaves the bucket as it found it (moto enforces IAM)', () => {
    /** The aws settings pointed at a bucket of the test's own, signed by a user with only these statements. */
    const own = (name: string, statements: (bucket: string) => unknown[]) => {
      const local = JSON.parse(fs.readFileSync(path.join(state, 'state.json'), 'utf8'));
      const bucket = `${local.deployed.aws.bucket.slice(0, 40)}-${name}`;
      const user = motoAdmin('bucket-user', bucket, `doctor-${name}`, JSON.stringify(statements(bucket))) as { login: string; password: string };
      const connection = { conn_type: 'aws', extra: { region_name: local.deployed.aws.region, endpoint_url: local.servers.moto.url } };
      const file = writeEnv(`${name}.env`, {
        ...Object.fromEntries(Object.entries(readEnv(envFile.aws)).filter(([k]) => !k.startsWith('AIRFLOW__SECRETS__'))),
        AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: `s3://aws_xcoms@${bucket}/xcom`,
        AIRFLOW_CONN_AWS_XCOMS: JSON.stringify({ ...connection, ...user }),
      });
      return { bucket, file };
    };

    test('an identity that may delete the bucket but not write: DeleteBucket is not tried on the empty bucket', async () => {
      const { bucket, file } = own('empty', (b) => [{ Effect: 'Allow', Action: 's3:DeleteBucket', Resource: `arn:aws:s3:::${b}` }]);
      const { code, report } = await doctor([file, '--python', PY]);
      expect(checkOf(report, 'write').status).toBe('fail');
      expect(checkOf(report, 'bucket-change')).toMatchObject({ status: 'not-checked', detail: expect.stringContaining('nothing was written') });
      expect(code).toBe(1);
      expect(motoAdmin('bucket-exists', bucket)).toBe(true);
    }, LONG);

    test('an object written outside the prefix that cannot be deleted is reported, named in the fix', async () => {
      const { bucket, file } = own('outside', (b) => [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${b}/xcomkit-doctor-outside-*` }]);
      const { code, report } = await doctor([file, '--python', PY]);
      const outside = checkOf(report, 'outside-prefix');
      expect(outside).toMatchObject({ status: 'fail', detail: expect.stringMatching(/was written and is left behind: PermissionError/), fix: expect.stringContaining('by hand') });
      expect(code).toBe(1);
      const left = motoAdmin('keys', bucket, '') as string[];
      expect(left).toEqual([expect.stringMatching(/^xcomkit-doctor-outside-[0-9a-f]{32}\.json$/)]);
      expect(outside.fix).toContain(left[0]);
      motoAdmin('delete', bucket, ...left);
      expect(motoAdmin('keys', bucket, '')).toEqual([]);
    }, LONG);
  });

  describe('doctor on a grant that is too wide (a moto server without IAM enforcement)', () => {
    let moto: ChildProcess | undefined;
    let url: string;

    beforeAll(async () => {
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      url = `http://127.0.0.1:${port}`;
      moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          await fetch(`${url}/moto-api/`);
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      expect((await fetch(`${url}/wide-bucket`, { method: 'PUT' })).status).toBe(200);
    }, 60_000);

    afterAll(() => {
      if (moto?.pid) process.kill(moto.pid);
    });

    test('a write outside the prefix and a bucket-level change are allowed: both fail, with the fix', async () => {
      const file = writeEnv('wide.env', {
        AIRFLOW__CORE__XCOM_BACKEND: 'airflow.providers.common.io.xcom.backend.XComObjectStorageBackend',
        AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: 's3://wide@wide-bucket/xcom',
        AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD: '0',
        AIRFLOW_CONN_WIDE: JSON.stringify({ conn_type: 'aws', login: 'any', password: 'any', extra: { region_name: 'us-east-1', endpoint_url: url } }),
      });
      const { code, report } = await doctor([file, '--python', PY], { PATH: process.env.PATH, HOME: process.env.HOME });
      expect(checkOf(report, 'write').status).toBe('pass');
      expect(checkOf(report, 'outside-prefix')).toMatchObject({ status: 'fail', detail: expect.stringContaining('was written (and deleted again)'), fix: expect.stringContaining('scope the identity') });
      expect(checkOf(report, 'bucket-change')).toMatchObject({ status: 'fail', detail: expect.stringContaining('only the probe object kept the bucket'), fix: expect.stringContaining('drop bucket-level actions') });
      expect(checkOf(report, 'delete').status).toBe('pass');
      expect(code).toBe(1);
      const listing = await (await fetch(`${url}/wide-bucket?list-type=2`)).text();
      expect(listing).not.toContain('<Key>');
    }, LONG);
  });
});
