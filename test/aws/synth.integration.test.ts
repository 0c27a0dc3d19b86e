/**
 * The real synth path: the CDK CLI runs bin/aws.ts (cdk.json) with cdk-nag and aws-cdk-lib's
 * template validation on, offline and with no AWS credentials anywhere in reach.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The current environment without any AWS credential source. */
function credentialFreeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !key.startsWith('CDK_')) env[key] = value;
  return {
    ...env,
    AWS_CONFIG_FILE: path.join(ROOT, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

let outdir: string;
beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-synth-'));
});
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('bin/aws.ts', () => {
  test('cdk synth of all environments works offline, without credentials, with cdk-nag passing', () => {
    // WHEN the CDK CLI synthesizes every stack
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--output', outdir], {
      cwd: ROOT,
      env: credentialFreeEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    // THEN it succeeds and writes one template per environment
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
    for (const env of ['dev', 'staging', 'prod']) expect(fs.existsSync(path.join(outdir, `${env}.template.json`))).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { missing?: unknown; artifacts: Record<string, { properties?: { stackName?: string } }> };
    expect(manifest.missing).toBeUndefined(); // no context lookups
    expect(manifest.artifacts.prod.properties?.stackName).toBe('AirflowXcoms-prod');
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; conclusion: string; violations?: unknown[] }[] };
    expect(report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')).toMatchObject({ conclusion: 'success' });
    for (const r of report.pluginReports) expect(r.violations ?? []).toEqual([]);
    expect(fs.existsSync(path.join(ROOT, 'cdk.context.json'))).toBe(false);
  }, 60_000);

  test('an unknown environment fails with the list of known ones; -c config selects another file', () => {
    // The app run as the CLI runs it (context in CDK_CONTEXT_JSON); template validation, already
    // proven above, is switched off here to keep the suite fast.
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const run = (context: Record<string, string>) =>
      spawnSync(tsx, [path.join(ROOT, 'bin', 'aws.ts')], {
        cwd: ROOT,
        env: credentialFreeEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_VALIDATION: 'false' }),
        encoding: 'utf8',
        timeout: 30_000,
      });
    const unknown = run({ env: 'qa' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown environment "qa": known environments are dev, staging, prod');

    const file = path.join(outdir, 'other.yaml');
    fs.writeFileSync(file, 'environments:\n  solo:\n    aws:\n      region: us-east-2\n      stackName: XcomSolo\n');
    const other = run({ config: file, env: 'solo' });
    expect({ status: other.status, stderr: other.status === 0 ? '' : other.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fs.existsSync(path.join(outdir, 'solo.template.json'))).toBe(true);
  }, 60_000);
});
