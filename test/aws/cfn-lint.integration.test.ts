/**
 * cfn-lint (from the project's venv, pinned in runtime/constraints-test.txt) over every template the kit
 * synthesizes: the shipped environments and every identity/encryption/logging variant. Errors fail;
 * warnings and informational findings are reported by rule and must be listed in SECURITY.md with a
 * reason (there are none today, so any new one fails here until it is).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { buildAwsApp } from '../../lib/apps/aws-app';
import { SHIPPED_ENVIRONMENTS, shippedConfig, STACK_VARIANTS, testConfig } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const CFN_LINT = path.join(ROOT, '.venv', 'bin', 'cfn-lint');
/** Warning and informational rules accepted, with the reason (also in SECURITY.md). */
const ACCEPTED: Readonly<Record<string, string>> = {
  I1022: 'aws-cdk-lib renders every string built from tokens (ARNs, the binding JSON) as Fn::Join with an empty delimiter; Fn::Sub would be equivalent, and the template is generated, not edited.',
};

function writeTemplate(dir: string, name: string, stack: Stack): string {
  const file = path.join(dir, `${name}.template.json`);
  const assembly = stack.node.root as unknown as { synth(): { getStackArtifact(id: string): { template: unknown } } };
  fs.writeFileSync(file, JSON.stringify(assembly.synth().getStackArtifact(stack.artifactId).template, null, 1));
  return file;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-cfnlint-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('every synthesized template passes cfn-lint with no error, and no warning outside the accepted list', () => {
  // GIVEN every template: the shipped environments and the variants
  expect({ cfnLintInstalled: fs.existsSync(CFN_LINT), fix: 'bash scripts/setup-python.sh' }).toEqual({ cfnLintInstalled: true, fix: 'bash scripts/setup-python.sh' });
  const files: string[] = [];
  for (const env of SHIPPED_ENVIRONMENTS) {
    files.push(writeTemplate(dir, env, buildAwsApp(shippedConfig(), { environment: env, templateValidation: false }).stacks[env]));
  }
  STACK_VARIANTS.forEach(([, aws, env], i) => {
    files.push(writeTemplate(dir, `variant-${i}`, buildAwsApp(testConfig(aws, env), { environment: 'test', templateValidation: false }).stacks.test));
  });

  // WHEN cfn-lint checks them all, informational rules included
  const run = spawnSync(CFN_LINT, ['--format', 'json', '--include-checks', 'I', '--', ...files], { encoding: 'utf8', timeout: 120_000 });
  expect(run.error).toBeUndefined();
  const findings = JSON.parse(run.stdout || '[]') as { Rule: { Id: string }; Level: string; Filename: string; Message: string }[];

  // THEN no error, and every warning or informational finding is an accepted one
  const summary = findings.map((f) => `${f.Level} ${f.Rule.Id} ${path.basename(f.Filename)}: ${f.Message}`);
  expect(summary.filter((line) => line.startsWith('Error'))).toEqual([]);
  expect(summary.filter((line) => !(line.split(' ')[1] in ACCEPTED))).toEqual([]);
  // Exit status is a bit mask: 1 = fatal, 2 = error (4 = warning, 8 = informational, checked above).
  expect((run.status ?? 1) & 0b11).toBe(0);
  expect(files).toHaveLength(SHIPPED_ENVIRONMENTS.length + STACK_VARIANTS.length);
}, 180_000);

test('cfn-lint does report errors (the check is live)', () => {
  // GIVEN a template with a bucket property CloudFormation does not know
  const bad = path.join(dir, 'bad.template.json');
  fs.writeFileSync(bad, JSON.stringify({ Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { NoSuchProperty: true } } } }));
  const run = spawnSync(CFN_LINT, ['--format', 'json', '--', bad], { encoding: 'utf8', timeout: 60_000 });
  // THEN it fails with E3002
  expect(run.status).not.toBe(0);
  expect((JSON.parse(run.stdout) as { Rule: { Id: string } }[]).map((f) => f.Rule.Id)).toContain('E3002');
}, 60_000);
