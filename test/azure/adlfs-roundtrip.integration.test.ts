/**
 * The adlfs request sequence, recorded from the real adlfs rather than read from its source: Airflow's
 * stock XCom backend does a push, pull and purge with the settings xcomkit emits, against Azurite
 * through a recording proxy. Every recorded Blob service request is mapped to the RBAC action (and
 * sub-operation, blob path or list prefix) Azure authorizes it with, and evaluated against the custom
 * role and ABAC condition of the synthesized stack: all are allowed, and none falls outside the map.
 * (Azurite enforces no RBAC; the evaluation is the proof, the recording makes its input real.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSettings } from '../../lib/airflow/settings';
import { BINDING_OUTPUT_TF, parseBinding } from '../../lib/binding';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { AZURE_BASE, only, synthAzure } from '../terraform/fixtures';
import { blobOp, containerOp, listBlobs, roleAllows, type BlobRequest, type RolePermissions } from './abac-evaluator';

const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const AZURITE = path.join(ROOT, 'node_modules', '.bin', 'azurite-blob');
const ACCOUNT = 'devstoreaccount1';
// Azurite's published devstoreaccount1 key (allowed by name in scripts/secret-scan.ts).
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const { json } = synthAzure({ azure: AZURE_BASE }, 'prod');
const binding = parseBinding(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, () => '11111111-2222-3333-4444-555555555555'));
const [definition] = Object.values(json.resource.azurerm_role_definition) as any[];
const ROLE: RolePermissions = { actions: definition.permissions[0].actions, dataActions: definition.permissions[0].data_actions };
const CONDITION = only(json, 'azurerm_role_assignment').condition as string;
const CONTAINER = binding.storage.bucket;

interface Recorded {
  readonly method: string;
  readonly url: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Azurite did not listen on ${port}`);
}

/** The RBAC request Azure authorizes a recorded Blob service call with, or undefined when unmapped. */
function toBlobRequest(r: Recorded): BlobRequest | undefined {
  const url = new URL(r.url, 'http://proxy');
  const [account, container, ...rest] = url.pathname.split('/').filter(Boolean);
  if (account !== ACCOUNT || container !== CONTAINER) return undefined;
  const blob = decodeURIComponent(rest.join('/'));
  const q = url.searchParams;
  const call = `${r.method} ${url.pathname}${url.search}`;
  if (blob === '') {
    if (q.get('restype') !== 'container') return undefined;
    if (q.get('comp') === 'list') return listBlobs(call, q.get('prefix') ?? undefined);
    if ((r.method === 'GET' || r.method === 'HEAD') && !q.has('comp')) return containerOp(call, 'read');
    return undefined;
  }
  if (r.method === 'HEAD' || r.method === 'GET') return q.has('comp') && q.get('comp') !== 'blocklist' ? undefined : blobOp(call, 'read', blob);
  if (r.method === 'PUT' && (!q.has('comp') || q.get('comp') === 'block' || q.get('comp') === 'blocklist')) return blobOp(call, 'write', blob);
  if (r.method === 'DELETE' && !q.has('comp')) return blobOp(call, 'delete', blob);
  return undefined;
}

let azurite: ChildProcess | undefined;
let proxy: http.Server | undefined;
let dir: string;
let azuritePort: number;
let proxyPort: number;
const recorded: Recorded[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-adlfs-'));
  azuritePort = await freePort();
  azurite = spawn(AZURITE, ['--blobHost', '127.0.0.1', '--blobPort', String(azuritePort), '--location', path.join(dir, 'data'), '--silent', '--skipApiVersionCheck', '--loose'], { stdio: 'ignore' });
  await waitForPort(azuritePort);
  proxy = http.createServer((req, res) => {
    recorded.push({ method: req.method ?? '', url: req.url ?? '' });
    const upstream = http.request({ host: '127.0.0.1', port: azuritePort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as net.AddressInfo).port;
}, 60_000);

afterAll(async () => {
  if (proxy) await new Promise<void>((resolve) => proxy!.close(() => resolve()));
  if (azurite && azurite.exitCode === null) {
    // Stop it by its PID and wait (bounded) for it to exit before its data directory goes.
    const exited = new Promise<void>((resolve) => azurite!.once('exit', () => resolve()));
    azurite.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (azurite.exitCode === null && azurite.signalCode === null) azurite.kill('SIGKILL');
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

function connectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`;
}

function run(env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path.join(__dirname, 'adlfs_roundtrip.py')], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('every Blob service request of a real adlfs push, pull and purge is allowed by the synthesized role and condition', async () => {
  // GIVEN xcomkit's settings for the Azure binding, the connection pointed at the proxy (Azurite has no Entra ID)
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AIRFLOW_HOME: dir,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${dir}/airflow.db`,
    AZURITE_DIRECT: connectionString(azuritePort),
    XCOM_CONTAINER: CONTAINER,
  };
  for (const s of buildSettings(binding).settings) env[s.name] = s.value;
  env.AIRFLOW_CONN_AZURE_XCOMS = JSON.stringify({ conn_type: 'wasb', extra: { connection_string: connectionString(proxyPort) } });

  // WHEN the stock backend pushes, pulls and purges one XCom
  const r = await run(env);
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ reference: expect.stringMatching(/^abfs:\/\/azure_xcoms@airflow-xcoms\/xcom\/example_dag\/manual__2026-01-01\/push\/[0-9a-f-]+\.gz$/), equal: true });

  // THEN every request maps to an RBAC action, and the role with its condition allows each
  expect(recorded.length).toBeGreaterThan(4);
  const requests = recorded.map((x) => ({ x, request: toBlobRequest(x) }));
  expect(requests.filter((q) => q.request === undefined).map((q) => `${q.x.method} ${q.x.url}`)).toEqual([]);
  const mapped = requests.map((q) => q.request!);
  expect(mapped.filter((q) => !roleAllows(ROLE, CONDITION, q)).map((q) => q.call)).toEqual([]);
  // The kinds the role was traced from all occurred: container read, blob read, prefixed list, write, delete
  const kinds = new Set(mapped.map((q) => `${q.action.split('/').slice(-2).join('/')}${q.subOperation ? ` ${q.subOperation}` : ''}`));
  expect([...kinds].sort()).toEqual(['blobs/delete', 'blobs/read', 'blobs/read Blob.List', 'blobs/write', 'containers/read']);

  // AND the same recording is denied under a condition for another prefix (the evaluation can fail)
  const other = CONDITION.replace(/'xcom\/'/g, "'other/'");
  expect(mapped.filter((q) => !roleAllows(ROLE, other, q)).length).toBeGreaterThan(0);
}, 150_000);
