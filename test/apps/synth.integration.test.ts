/**
 * The fast synth (`npm run synth`, bin/synth.ts compiled to dist/bin/synth.js) against the CLI path it
 * replaces: `cdk synth --all` through the CDK CLI (cdk.json's app) and `npm run synth:tf`
 * (bin/terraform.ts). Both run once, side by side, on the shipped config/environments.yaml.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { cdkCliContext } from '../../lib/apps/cdk-cli-context';

const ROOT = path.resolve(__dirname, '..', '..');
const CDK = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const SYNTH = path.join(ROOT, 'dist', 'bin', 'synth.js');
const RECORD_CONTEXT = path.join(__dirname, 'record-cdk-context.js');
const run = promisify(execFile);

/** The environment without AWS credential sources, so nothing is looked up (as test/aws/synth.integration.test.ts). */
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !key.startsWith('CDK_') && !key.startsWith('XCOMKIT_') && !key.startsWith('CDKTF_')) env[key] = value;
  return { ...env, AWS_CONFIG_FILE: path.join(ROOT, 'no-such-aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, 'no-such-aws-credentials'), AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

/** Every file below `dir`, as paths relative to it, sorted. */
function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

/**
 * The only fields allowed to differ: where a construct was created, as stack traces in the metadata
 * files and the validation report. They name the running source: bin/aws.ts and lib/**\/*.ts under
 * tsx (the CLI path), dist/**\/*.js in the fast synth.
 */
const STACK_TRACE_FIELDS = new Set(['stackTrace', 'stackTraces', 'acknowledgedStackTrace', 'trace']);
function withoutStackTraces(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStackTraces);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.type === 'aws:cdk:creationStack') return { type: record.type, data: '<stack trace>' };
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, STACK_TRACE_FIELDS.has(k) ? '<stack trace>' : withoutStackTraces(v)]));
  }
  return value;
}

function fastSynth(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--single-threaded-gc', '--max-semi-space-size=1', SYNTH, ...args], { cwd: ROOT, env: offlineEnv(env), encoding: 'utf8', timeout: 120_000 });
}

let tmp: string;
beforeAll(() => {
  const build = spawnSync('bash', ['scripts/build.sh'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build.sh failed:\n${build.stdout}${build.stderr}`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-fast-synth-'));
}, 180_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run synth against the CLI path, every environment of config/environments.yaml', () => {
  let cli: string;
  let fast: string;
  let recordedContext: Record<string, unknown>;
  beforeAll(async () => {
    cli = path.join(tmp, 'cli');
    fast = path.join(tmp, 'fast');
    fs.mkdirSync(cli); // cdktf's App creates its outdir, not the parents
    const contextFile = path.join(tmp, 'cli-context.json');
    // The CLI runs cdk.json's app through a recorder that keeps the context it was given.
    const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string }).app;
    await Promise.all([
      run(process.execPath, [CDK, 'synth', '--all', '--quiet', '--output', path.join(cli, 'cdk.out'), '--app', `node ${RECORD_CONTEXT} ${app}`], {
        cwd: ROOT,
        env: offlineEnv({ RECORD_CDK_CONTEXT_TO: contextFile }),
        maxBuffer: 64 << 20,
      }),
      run(TSX, ['bin/terraform.ts'], { cwd: ROOT, env: offlineEnv({ CDKTF_OUTDIR: path.join(cli, 'cdktf.out') }) }),
      run(process.execPath, ['--single-threaded-gc', '--max-semi-space-size=1', SYNTH, '--cdk-out', path.join(fast, 'cdk.out'), '--cdktf-out', path.join(fast, 'cdktf.out')], { cwd: ROOT, env: offlineEnv() }),
    ]);
    recordedContext = JSON.parse(fs.readFileSync(contextFile, 'utf8')) as Record<string, unknown>;
  }, 180_000);

  test('writes the same files as cdk synth --all and npm run synth:tf', () => {
    for (const out of ['cdk.out', 'cdktf.out']) expect(files(path.join(fast, out))).toEqual(files(path.join(cli, out)));
    expect(files(path.join(fast, 'cdk.out'))).toEqual(expect.arrayContaining(['manifest.json', 'tree.json', 'cdk.out', 'prod.template.json', 'prod.assets.json']));
    expect(files(path.join(fast, 'cdktf.out'))).toEqual(expect.arrayContaining(['manifest.json', 'stacks/azure-prod/cdk.tf.json', 'stacks/gcp-prod/cdk.tf.json']));
  });

  test('templates, asset manifests, manifests, tree and cdk.tf.json are byte for byte the same', () => {
    const compared = [...files(path.join(cli, 'cdk.out')).map((f) => path.join('cdk.out', f)), ...files(path.join(cli, 'cdktf.out')).map((f) => path.join('cdktf.out', f))].filter(
      (f) => !f.endsWith('.metadata.json') && !f.endsWith('validation-report.json'),
    );
    expect(compared.filter((f) => f.endsWith('.template.json'))).toHaveLength(3);
    expect(compared.filter((f) => f.endsWith('cdk.tf.json'))).toHaveLength(6);
    const differing = compared.filter((f) => !fs.readFileSync(path.join(fast, f)).equals(fs.readFileSync(path.join(cli, f))));
    expect(differing).toEqual([]);
  });

  test('metadata files and the validation report differ only in their stack traces', () => {
    const compared = files(path.join(cli, 'cdk.out')).filter((f) => f.endsWith('.metadata.json') || f === 'validation-report.json');
    expect(compared).toContain('validation-report.json');
    for (const f of compared) {
      const read = (dir: string) => withoutStackTraces(JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', f), 'utf8')));
      expect({ file: f, content: read(fast) }).toEqual({ file: f, content: read(cli) });
    }
  });

  test('cdk-nag ran with every finding fixed or acknowledged', () => {
    // The template validator's plugin is listed only when it finds something (see the next describe).
    const report = JSON.parse(fs.readFileSync(path.join(fast, 'cdk.out', 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[] };
    expect(report.pluginReports.map((r) => [r.pluginName, r.conclusion, r.violations.length])).toEqual([
      ['AwsSolutions', 'success', 0],
      ['NIST.800.53.R5', 'success', 0],
    ]);
  });

  test('the CDK context is the one the CLI passed to the app', () => {
    expect(cdkCliContext(ROOT)).toEqual(recordedContext);
    expect(recordedContext).toMatchObject({ '@aws-cdk/aws-iam:minimizePolicies': true, 'aws:cdk:version-reporting': true });
  });

  test('the CDK CLI reads the fast synth as a cloud assembly (what cdk deploy --app cdk.out does)', () => {
    const list = spawnSync(process.execPath, [CDK, 'list', '--app', path.join(fast, 'cdk.out')], { cwd: ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 60_000 });
    expect({ status: list.status, stderr: list.status === 0 ? '' : list.stderr }).toEqual({ status: 0, stderr: '' });
    expect(list.stdout.trim().split('\n')).toEqual(['dev (AirflowXcoms-dev)', 'staging (AirflowXcoms-staging)', 'prod (AirflowXcoms-prod)']);
  }, 60_000);
});

describe("template validation in the fast synth's worker thread (lib/apps/cfn-validation.ts)", () => {
  test("reports what aws-cdk-lib's built-in plugin reports, in the same validation report", async () => {
    const fixture = path.join(__dirname, 'validate-fixture.js');
    const report = (mode: string) => path.join(tmp, `validate-${mode}`, 'validation-report.json');
    const [worker, builtin] = await Promise.all(
      ['worker', 'builtin'].map((mode) => run(process.execPath, [fixture, path.join(tmp, `validate-${mode}`), mode], { cwd: ROOT, env: offlineEnv() })),
    );
    const read = (mode: string) => withoutStackTraces(JSON.parse(fs.readFileSync(report(mode), 'utf8')));
    expect(read('worker')).toEqual(read('builtin'));
    const plugin = (read('worker') as { pluginReports: { pluginName: string; pluginVersion?: string; violations: { ruleName: string }[] }[] }).pluginReports[0];
    expect(plugin).toMatchObject({ pluginName: 'CloudFormation Validate', pluginVersion: expect.stringMatching(/^\d+\.\d+/) });
    expect(plugin.violations.map((v) => v.ruleName)).toEqual(['F3002', 'W3030']); // an unknown property, a value not allowed
    // aws-cdk-lib prints the findings (as warnings) the same way for both.
    expect(worker.stderr.replace(/\/validate-worker\//g, '/validate-X/')).toBe(builtin.stderr.replace(/\/validate-builtin\//g, '/validate-X/'));
  }, 120_000);
});

describe('npm run synth: choosing and failing', () => {
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };
  /** Output directories holding an earlier synth's file, which a failed run must leave as they are. */
  const outputs = (name: string) => {
    const dir = path.join(tmp, name);
    for (const out of ['cdk.out', 'cdktf.out']) {
      fs.mkdirSync(path.join(dir, out), { recursive: true });
      fs.writeFileSync(path.join(dir, out, 'earlier.json'), '{}');
    }
    return { dir, args: ['--cdk-out', path.join(dir, 'cdk.out'), '--cdktf-out', path.join(dir, 'cdktf.out')] };
  };
  const untouched = (dir: string) => {
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk.out', 'cdktf.out']); // no staging directory left
    for (const out of ['cdk.out', 'cdktf.out']) expect(fs.readdirSync(path.join(dir, out))).toEqual(['earlier.json']);
  };

  test('an invalid environments file exits 1, as the CDK and CDKTF apps do, naming the field; nothing is written', () => {
    const out = outputs('invalid');
    const bad = write('bad.yaml', 'environments:\n  qa:\n    azure:\n      location: westeurope\n      resourceGroup: { name: rg }\n      storageAccountName: Bad_Name\n      identity: { mode: key, keyVaultName: kv-acme }\n');
    const r = fastSynth(['--config', bad, ...out.args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('environments.qa.azure.storageAccountName: "Bad_Name" is not valid: must be 3-24 lower-case letters and digits');
    untouched(out.dir);
  });

  test('an unknown environment exits 1 with the known ones', () => {
    const r = fastSynth(['--env', 'qa', '--cdk-out', path.join(tmp, 'unknown', 'cdk.out'), '--cdktf-out', path.join(tmp, 'unknown', 'cdktf.out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown environment "qa": known environments are dev, staging, prod');
    expect(fs.existsSync(path.join(tmp, 'unknown'))).toBe(false);
  });

  test('a problem across environments that only the CDKTF app checks stops the AWS synth too', () => {
    const out = outputs('across');
    const azure = (env: string) =>
      `  ${env}:\n    aws: { region: eu-west-1 }\n    azure:\n      location: westeurope\n      resourceGroup: { name: rg-${env} }\n      storageAccountName: acmexcoms\n      identity: { mode: key, keyVaultName: kv-${env}-acme }\n`;
    const file = write('shared-account.yaml', `environments:\n${azure('qa')}${azure('uat')}`);
    const r = fastSynth(['--config', file, ...out.args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('environments.uat.azure.storageAccountName: "acmexcoms" is already used by environments.qa.azure.storageAccountName');
    untouched(out.dir);
  }, 60_000);

  test('XCOMKIT_CONFIG and --env select what is synthesized; a cloud no environment uses is not written', () => {
    const dir = path.join(tmp, 'gcp-only');
    const file = write('gcp-only.yaml', 'environments:\n  qa:\n    gcp: { project: acme-data-prod, location: EU, identity: { mode: key } }\n  uat:\n    gcp: { project: acme-data-uat, location: EU, identity: { mode: key } }\n');
    const r = fastSynth(['--env', 'uat', '--cdk-out', path.join(dir, 'cdk.out'), '--cdktf-out', path.join(dir, 'cdktf.out')], { XCOMKIT_CONFIG: file });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toBe(`Synthesized gcp-uat (CDKTF) into ${path.join(dir, 'cdktf.out')}\n`);
    expect(fs.readdirSync(dir)).toEqual(['cdktf.out']);
    expect(fs.readdirSync(path.join(dir, 'cdktf.out', 'stacks'))).toEqual(['gcp-uat']);
  });

  test('--help names every option with its default', () => {
    const r = fastSynth(['--help']);
    expect(r.status).toBe(0);
    for (const option of ['--env <name>', '--config <file>', '--cdk-out <dir>', '--cdktf-out <dir>', '-q, --quiet']) expect(r.stdout).toContain(option);
    expect(r.stdout).toContain('(default: cdk.out)');
    expect(r.stdout).toContain('(default: $XCOMKIT_CONFIG, then config/environments.yaml)');
  });

  test('bad arguments exit 2 with the usage', () => {
    for (const args of [['--nope'], ['prod'], ['--env', ''], ['--cdk-out', 'same', '--cdktf-out', 'same']]) {
      const r = fastSynth(args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toContain('usage: npm run synth --');
    }
  });
});
