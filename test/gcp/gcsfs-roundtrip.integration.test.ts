/**
 * The real gcsfs (through Airflow's stock XCom backend) against a fake GCS server that answers only what
 * the synthesized grants allow: with the settings xcomkit emits for GCP, one push, pull and purge makes
 * no denied call. Controls show the fake does deny (without the bucket-metadata role the push fails)
 * and that the emitted variable is what keeps gcsfs off its layout-probing filesystem.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSettings } from '../../lib/airflow/settings';
import { BINDING_OUTPUT_TF, parseBinding } from '../../lib/binding';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { GCP_BASE, synthGcp } from '../terraform/fixtures';
import { startFakeGcs, type FakeGcs } from './fake-gcs';
import { grantsOf, type Grant } from './grants';

const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const DRIVER = path.join(__dirname, 'gcsfs_roundtrip.py');

/** A synthesized GCP stack: its binding (deploy-time values filled in) and its grants. */
function stack(raw: Record<string, unknown>) {
  const { json } = synthGcp({ gcp: GCP_BASE, ...raw }, 'prod');
  const b = parseBinding(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, () => 'airflow-xcoms-prod@acme-data-prod.iam.gserviceaccount.com'));
  return { binding: b, grants: grantsOf(json) };
}

const { binding, grants: GRANTS } = stack({});

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-gcsfs-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** xcomkit's settings for the binding as environment variables, with the connection pointed at `server`. */
function airflowEnv(server: FakeGcs, b = binding, emitted = true): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${home}/airflow.db`,
    // Nothing may reach Google: no metadata server, every JSON-API call to the fake.
    NO_GCE_CHECK: 'True',
    GCE_METADATA_HOST: '127.0.0.1:9',
    STORAGE_EMULATOR_HOST: server.url,
  };
  for (const s of buildSettings(b).settings) {
    if (s.kind === 'env' && !emitted) continue;
    env[s.name] = s.value;
  }
  // The emitted connection uses Application Default Credentials (workload identity), which do not exist
  // here: the same connection, anonymous, at the fake server's endpoint.
  const conn = JSON.parse(env.AIRFLOW_CONN_GCP_XCOMS!);
  env.AIRFLOW_CONN_GCP_XCOMS = JSON.stringify({ ...conn, extra: { ...conn.extra, is_anonymous: true, 'gcs.endpoint': server.url } });
  return env;
}

/** Runs a child without blocking this process's event loop (the fake server lives in it). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function roundTrip(grants: Grant[], b = binding) {
  const server = await startFakeGcs(b.storage.bucket, grants);
  try {
    const child = await run(PYTHON, [DRIVER], airflowEnv(server, b));
    const last = child.stdout.trim().split('\n').pop() ?? '';
    return { status: child.status, stderr: child.stderr, result: child.status === 0 ? JSON.parse(last) : undefined, requests: [...server.requests], objects: server.objects.size };
  } finally {
    await server.close();
  }
}

describe('gcsfs against the kit\'s GCS grants', () => {
  test('with xcomkit\'s settings, a push, pull and purge succeeds and makes no denied or unsupported call', async () => {
    const r = await roundTrip(GRANTS);
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.result).toEqual({ fs_class: 'gcsfs.core.GCSFileSystem', reference: expect.stringMatching(/^gs:\/\/gcp_xcoms@acme-data-prod-airflow-xcoms-prod\/xcom\/example_dag\/manual__2026-01-01\/push\/[0-9a-f-]+\.gz$/), equal: true });
    expect(r.requests.filter((q) => !q.allowed).map((q) => `${q.status} ${q.method} ${q.url}`)).toEqual([]);
    // The calls the grants were traced from really happened: bucket GET, object GET, prefixed listings, upload, media read, delete.
    const calls = new Set(r.requests.map((q) => q.permission));
    expect([...calls].sort()).toEqual(['storage.buckets.get', 'storage.objects.create', 'storage.objects.delete', 'storage.objects.get', 'storage.objects.list']);
    expect(r.requests.filter((q) => q.permission === 'storage.objects.list').every((q) => typeof q.listPrefix === 'string' && q.listPrefix.startsWith('xcom/'))).toBe(true);
    expect(r.objects).toBe(0); // purged
  }, 150_000);

  test.each([
    ['a nested prefix (managed folder airflow/xcom/)', { xcom: { prefix: 'airflow/xcom' } }, 'airflow/xcom/'],
    ['a dedicated bucket (grants on the bucket, no folder)', { xcom: { prefix: '', dedicatedBucket: true } }, ''],
  ])('the same holds for %s', async (_name, raw, prefix) => {
    const variant = stack(raw);
    const r = await roundTrip(variant.grants, variant.binding);
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.result.equal).toBe(true);
    expect(r.result.reference).toContain(`@acme-data-prod-airflow-xcoms-prod/${prefix}example_dag/`);
    expect(r.requests.filter((q) => !q.allowed).map((q) => `${q.status} ${q.method} ${q.url}`)).toEqual([]);
  }, 150_000);

  test('control: without the bucket-metadata role the fake denies GET bucket and the whole-bucket listing gcsfs falls back to, and the push fails', async () => {
    const withoutBucketGet = GRANTS.filter((g) => !g.permissions.includes('storage.buckets.get'));
    expect(withoutBucketGet.length).toBe(GRANTS.length - 1);
    const r = await roundTrip(withoutBucketGet);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Forbidden: b\/acme-data-prod-airflow-xcoms-prod\/o/);
    const denied = r.requests.filter((q) => !q.allowed).map((q) => `${q.permission} ${q.listPrefix === null ? '(whole bucket)' : ''}`.trim());
    expect(denied).toEqual(['storage.buckets.get', 'storage.objects.list (whole bucket)']);
  }, 150_000);

  test('the emitted GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false is what selects the JSON-API filesystem (without it gcsfs uses the layout-probing class)', () => {
    const probe = (extra: NodeJS.ProcessEnv) =>
      spawnSync(PYTHON, ['-c', 'import gcsfs; print(f"{gcsfs.GCSFileSystem.__module__}.{gcsfs.GCSFileSystem.__name__}")'], {
        env: { PATH: process.env.PATH, HOME: home, ...extra },
        encoding: 'utf8',
        timeout: 60_000,
      }).stdout.trim();
    const emitted = Object.fromEntries(buildSettings(binding).settings.filter((s) => s.kind === 'env').map((s) => [s.name, s.value]));
    expect(emitted).toEqual({ GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT: 'false' });
    expect(probe(emitted)).toBe('gcsfs.core.GCSFileSystem');
    expect(probe({})).toBe('gcsfs.extended_gcsfs.ExtendedGcsFileSystem');
  }, 60_000);
});
