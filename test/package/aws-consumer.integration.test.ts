/**
 * A CDK user's day one: `npm pack`, the tarball installed into a fresh TypeScript CDK app (no
 * cdk.json feature flags), the AWS construct granting an imported existing role (the MWAA execution
 * role), `cdk synth` with cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs, then `xcomkit` from
 * the installed package on the synthesized template.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, compile, directoryBytes, freshApp, installedVersion, ok, packKit, run, TSCONFIG } from './consumer';

const APP = `import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { AirflowXcomStorage } from 'airflow-xcom-kit/aws';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
const stack = new Stack(app, 'AirflowPlatform', { env: { account: '123456789012', region: 'eu-west-1' } });
const mwaaRole = iam.Role.fromRoleArn(stack, 'MwaaExecutionRole', 'arn:aws:iam::123456789012:role/mwaa-execution-role');
const xcoms = new AirflowXcomStorage(stack, 'Xcoms', { environment: 'prod' });
const grant: iam.Grant = xcoms.grantReadWrite(mwaaRole);
grant.assertSuccess();
xcoms.addBindingOutput();
`;

let work: string;
let app: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-pack-'));
  const tarball = packKit(work);
  const pinned = Object.fromEntries(['aws-cdk-lib', 'constructs', 'cdk-nag'].map((n) => [n, installedVersion(n)]));
  app = freshApp('cdk-consumer', tarball, pinned, { 'app.ts': APP, 'tsconfig.json': TSCONFIG });
}, 600_000);

afterAll(() => {
  for (const dir of [work, app]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('an AWS-only install has no CDK for Terraform and no Terraform provider bindings', () => {
  const modules = path.join(app, 'node_modules');
  expect(fs.existsSync(path.join(modules, 'airflow-xcom-kit', 'dist', 'lib', 'aws', 'index.d.ts'))).toBe(true);
  expect(fs.existsSync(path.join(modules, 'cdktf'))).toBe(false);
  expect(fs.existsSync(path.join(modules, '@cdktf'))).toBe(false);
  process.stdout.write(`AWS consumer node_modules: ${(directoryBytes(modules) / 1e6).toFixed(0)} MB\n`);
});

test('the installed package holds no tests, fixtures, runtime/ or sources', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(path.relative(path.join(app, 'node_modules', 'airflow-xcom-kit'), full));
    }
  };
  walk(path.join(app, 'node_modules', 'airflow-xcom-kit'));
  expect(files.filter((f) => /(^|\/)(test|fixtures|runtime|\.ci|e2e)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  expect(files).toContain('LICENSE');
});

test('the TypeScript app compiles against the package types and cdk synth passes both nag packs', () => {
  // WHEN the app is compiled and synthesized by the CDK CLI
  compile(app);
  const synth = run(path.join(BIN, 'cdk'), ['synth', '--app', 'node build/app.js', '--quiet', '--output', 'cdk.out'], app, { CDK_DISABLE_VERSION_CHECK: '1' });
  // THEN there is no unacknowledged finding (a finding fails the synth)
  ok(synth, 'cdk synth');
  const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'AirflowPlatform.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Outputs: Record<string, unknown>;
  };
  const managed = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy');
  expect(managed.map((r) => r.Properties.Roles)).toEqual([['mwaa-execution-role']]);
  expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role')).toEqual([]);
  expect(Object.keys(template.Outputs)).toContain('AirflowBinding');
}, 300_000);

test('xcomkit from the installed package turns the synthesized binding into Airflow settings with no role to assume', () => {
  const xcomkit = path.join(app, 'node_modules', '.bin', 'xcomkit');
  const out = ok(run(xcomkit, ['env', 'cdk.out', '--format', 'json'], app), 'xcomkit env');
  const settings = JSON.parse(out) as Record<string, string>;
  expect(settings.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH).toMatch(/^s3:\/\/aws_xcoms@.+\/xcom$/);
  expect(JSON.parse(settings.AIRFLOW_CONN_AWS_XCOMS)).toEqual({ conn_type: 'aws', extra: { region_name: 'eu-west-1' } });
}, 120_000);
