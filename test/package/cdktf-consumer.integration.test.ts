/**
 * A CDK for Terraform user's day one: `npm pack`, the tarball installed into a fresh TypeScript CDKTF
 * app with only the Google provider bindings, the GCP construct granting an existing service account
 * (Composer's), synthesized, then `xcomkit` from the installed package on the synthesized stack.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, directoryBytes, freshApp, installedVersion, ok, packKit, run, TSCONFIG } from './consumer';

const COMPOSER_SA = 'composer-env@acme-data-prod.iam.gserviceaccount.com';

const APP = `import { App, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AirflowXcomGcsStorage } from 'airflow-xcom-kit/gcp';

const app = new App();
const stack = new TerraformStack(app, 'airflow-platform');
new GoogleProvider(stack, 'google', { project: 'acme-data-prod' });
const xcoms = new AirflowXcomGcsStorage(stack, 'xcoms', { project: 'acme-data-prod', location: 'europe-west1', bucketName: 'acme-data-prod-airflow-xcoms', environment: 'prod' });
xcoms.grantReadWrite('${COMPOSER_SA}');
xcoms.addBindingOutput();
app.synth();
`;

let work: string;
let app: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-pack-'));
  const tarball = packKit(work);
  const pinned = Object.fromEntries(['cdktf', 'constructs', '@cdktf/provider-google'].map((n) => [n, installedVersion(n)]));
  app = freshApp('cdktf-consumer', tarball, pinned, { 'main.ts': APP, 'tsconfig.json': TSCONFIG });
}, 900_000);

afterAll(() => {
  for (const dir of [work, app]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a GCP-only install has neither the AWS CDK nor the Azure provider bindings', () => {
  const modules = path.join(app, 'node_modules');
  expect(fs.existsSync(path.join(modules, '@cdktf', 'provider-google'))).toBe(true);
  expect(fs.existsSync(path.join(modules, '@cdktf', 'provider-azurerm'))).toBe(false);
  expect(fs.existsSync(path.join(modules, 'aws-cdk-lib'))).toBe(false);
  process.stdout.write(`CDKTF (GCP) consumer node_modules: ${(directoryBytes(modules) / 1e6).toFixed(0)} MB\n`);
});

test('the app compiles against the package types and synthesizes the grant to the existing service account', () => {
  compile(app);
  ok(run('node', ['build/main.js'], app, { CDKTF_OUTDIR: path.join(app, 'cdktf.out') }), 'node build/main.js');
  const json = JSON.parse(fs.readFileSync(path.join(app, 'cdktf.out', 'stacks', 'airflow-platform', 'cdk.tf.json'), 'utf8'));
  const members = Object.values(json.resource.google_storage_managed_folder_iam_member as Record<string, { member: string }>).map((m) => m.member);
  expect(members).toEqual([`serviceAccount:${COMPOSER_SA}`]);
  expect(json.resource.google_service_account).toBeUndefined();
  expect(Object.keys(json.output)).toContain('airflow_binding');
}, 300_000);

test('xcomkit from the installed package turns the synthesized binding into Airflow settings (ADC, no key)', () => {
  const xcomkit = path.join(app, 'node_modules', '.bin', 'xcomkit');
  const settings = JSON.parse(ok(run(xcomkit, ['env', 'cdktf.out', '--format', 'json'], app), 'xcomkit env')) as Record<string, string>;
  expect(settings.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH).toBe('gs://gcp_xcoms@acme-data-prod-airflow-xcoms/xcom');
  expect(JSON.parse(settings.AIRFLOW_CONN_GCP_XCOMS)).toEqual({ conn_type: 'google_cloud_platform', extra: { project: 'acme-data-prod' } });
}, 120_000);
