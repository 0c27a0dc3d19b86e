/**
 * The jsii package (jsii/, `airflow-xcom-kit-aws`) as a Python CDK user gets it: scripts/jsii.sh
 * compiles it and builds the wheel with jsii-pacmak (skipped when its inputs are unchanged),
 * scripts/setup-python-cdk.sh installs the wheel and aws-cdk-lib from PyPI into .venv, app.py synthesizes
 * a Python CDK app on it, and its templates must equal those of its TypeScript twin app.ts on lib/aws.
 * Also: the committed API.md is what jsii-docgen generates now, and the package carries what
 * Construct Hub needs.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BUCKET_ACTIONS, KMS_ACTIONS, OBJECT_ACTIONS } from '../../lib/aws';
import { BINDING_OUTPUT_CFN, parseBinding } from '../../lib/binding';
import { buildApp, MWAA_ROLE } from './app';

const ROOT = path.resolve(__dirname, '../..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const STACKS = ['AirflowPlatform', 'AirflowIdentities'];

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; Outputs?: Record<string, { Value: unknown }> };

let work: string;
const template = (dir: string, stack: string): Template => JSON.parse(fs.readFileSync(path.join(dir, `${stack}.template.json`), 'utf8'));
const bash = (...args: string[]) => execFileSync('bash', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });

beforeAll(() => {
  if (!fs.existsSync(PYTHON)) throw new Error(`no ${PYTHON}: run bash scripts/setup-python.sh first (npm test does)`);
  bash('scripts/jsii.sh');
  bash('scripts/setup-python-cdk.sh');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-jsii-'));
}, 900_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('a Python CDK app on the wheel', () => {
  let python: string;
  let typescript: string;

  let readme: string;

  beforeAll(async () => {
    python = path.join(work, 'python');
    typescript = path.join(work, 'typescript');
    readme = path.join(work, 'readme');
    fs.mkdirSync(readme);
    // The package README's example as written, alongside app.py; CDK_OUTDIR is what `cdk synth` sets.
    const example = /```python\n([\s\S]*?)```/.exec(fs.readFileSync(path.join(ROOT, 'jsii', 'README.md'), 'utf8'))![1];
    const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' };
    await Promise.all([
      promisify(execFile)(PYTHON, [path.join(__dirname, 'app.py'), python], { cwd: work, env }),
      promisify(execFile)(PYTHON, ['-c', example], { cwd: readme, env: { ...env, CDK_OUTDIR: path.join(readme, 'cdk.out') } }),
    ]);
    buildApp(typescript);
  }, 300_000);

  test('the README example synthesizes the storage with the binding output', () => {
    const t = template(path.join(readme, 'cdk.out'), 'AirflowPlatform');
    expect(Object.values(t.Resources).filter((r) => r.Type === 'AWS::S3::Bucket')).toHaveLength(2);
    expect(Object.keys(t.Outputs ?? {})).toEqual([BINDING_OUTPUT_CFN]);
  });

  test('app.py passes ruff (the e2e suite\'s rules)', () => {
    execFileSync(path.join(ROOT, '.venv', 'bin', 'ruff'), ['check', '--config', 'e2e/ruff.toml', 'test/jsii'], { cwd: ROOT });
    execFileSync(path.join(ROOT, '.venv', 'bin', 'ruff'), ['format', '--check', '--config', 'e2e/ruff.toml', 'test/jsii'], { cwd: ROOT });
  });

  test.each(STACKS)('%s: the template equals the TypeScript app\'s', (stack) => {
    // Deep equality of the whole documents: no normalization is needed (analytics reporting is off
    // in both apps, so no CDK metadata resource with the runtime's name).
    expect(template(python, stack)).toEqual(template(typescript, stack));
  });

  test('the imported role gets the managed policy and becomes the binding identity', () => {
    const t = template(python, 'AirflowPlatform');
    const policies = Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties?.Roles).toEqual(['mwaa-execution-role']);
    const value = t.Outputs?.[BINDING_OUTPUT_CFN]?.Value as { 'Fn::Join': [string, unknown[]] };
    // The binding with its references as placeholders, as xcomkit reads it after a deploy.
    const json = value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<deploy-time:ref>')).join('');
    const binding = parseBinding(json);
    expect(binding.identity).toEqual({ mode: 'existing', principal: MWAA_ROLE, principals: [MWAA_ROLE] });
    expect(binding.xcom).toEqual({ path: 's3://aws_xcoms@<deploy-time:ref>/xcom', threshold: 1024, compression: 'zstd' });
  });

  test('one stack holds two storages with suffixed binding outputs', () => {
    expect(Object.keys(template(python, 'AirflowIdentities').Outputs ?? {}).sort()).toEqual([`${BINDING_OUTPUT_CFN}Role`, `${BINDING_OUTPUT_CFN}User`]);
  });

  test('static members reach Python: the action lists, oidcIssuer, the TLS version, the binding struct', () => {
    expect(JSON.parse(fs.readFileSync(path.join(python, 'facts.json'), 'utf8'))).toEqual({
      objectActions: [...OBJECT_ACTIONS],
      bucketActions: [...BUCKET_ACTIONS],
      kmsActions: [...KMS_ACTIONS],
      oidcIssuer: 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123456789',
      minimumTlsVersion: 1.2,
      bindingModeExisting: true,
      bindingPrefix: 'xcom',
    });
  });
});

describe('the package', () => {
  test('API.md is current: jsii-docgen generates exactly the committed file', () => {
    const fresh = path.join(work, 'api', 'API.md');
    bash('scripts/jsii-api-md.sh', fresh);
    const committed = fs.readFileSync(path.join(ROOT, 'jsii', 'API.md'), 'utf8');
    // On a difference: bash scripts/jsii-api-md.sh, and commit jsii/API.md.
    expect(fs.readFileSync(fresh, 'utf8')).toBe(committed);
  }, 300_000);

  test('the assembly carries what Construct Hub lists: license, keywords, README, repository, Python target', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, 'jsii', '.jsii'), 'utf8'));
    expect(assembly.license).toBe('Apache-2.0');
    expect(assembly.keywords).toEqual(expect.arrayContaining(['cdk', 'awscdk', 'airflow', 'xcom']));
    expect(assembly.readme.markdown).toContain('from airflow_xcom_kit_aws import AirflowXcomStorage');
    expect(assembly.repository.url).toMatch(/^https:\/\//);
    expect(assembly.author.name).toBeTruthy();
    expect(assembly.targets.python).toEqual({ distName: 'airflow-xcom-kit-aws', module: 'airflow_xcom_kit_aws' });
    expect(Object.keys(assembly.types).sort()).toEqual(
      [
        'AirflowXcomStorage', 'AirflowXcomStorageProps', 'AwsXcomBinding', 'BindingOutputOptions', 'EksServiceAccount', 'UseIdentityOptions',
        'XcomAccessPolicy', 'XcomAccessPolicyProps', 'XcomBindingConnection', 'XcomBindingIdentity', 'XcomBindingSettings', 'XcomBindingStorage',
        'XcomIdentityMode', 'XcomKubernetesServiceAccount', 'XcomPermissions', 'XcomRoleIdentity', 'XcomRoleIdentityProps', 'XcomSecretRef',
        'XcomUserIdentity', 'XcomUserIdentityProps',
      ].map((name) => `airflow-xcom-kit-aws.${name}`),
    );
    const wheel = fs.readdirSync(path.join(ROOT, 'jsii', 'dist', 'python')).filter((f) => f.endsWith('.whl'));
    expect(wheel).toEqual([`airflow_xcom_kit_aws-${assembly.version}-py3-none-any.whl`]);
  });
});
