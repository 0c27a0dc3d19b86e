import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdktf';
import { BINDING_OUTPUT_TF, bindingSchema } from '../../lib/binding';
import { ConfigError } from '../../lib/config/errors';
import { parseConfig } from '../../lib/config/load';
import { buildTerraformApp, selectEnvironments } from '../../lib/apps/terraform-app';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { AZURE_BASE, GCP_BASE, shippedConfig } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-tf-'));
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('CDKTF app', () => {
  test('every environment of the shipped file yields gcp-<env> and azure-<env>', () => {
    const stacks = buildTerraformApp(Testing.app(), shippedConfig());
    expect(stacks.map((s) => s.node.id)).toEqual(['gcp-dev', 'azure-dev', 'gcp-staging', 'azure-staging', 'gcp-prod', 'azure-prod']);
  });

  test('a selected environment yields only its stacks', () => {
    expect(buildTerraformApp(Testing.app(), shippedConfig(), 'prod').map((s) => s.node.id)).toEqual(['gcp-prod', 'azure-prod']);
  });

  test('an environment gets stacks only for the clouds it has sections for', () => {
    const config = parseConfig({ environments: { a: { gcp: GCP_BASE }, b: { azure: AZURE_BASE }, c: { aws: { region: 'eu-west-1' } } } });
    expect(buildTerraformApp(Testing.app(), config).map((s) => s.node.id)).toEqual(['gcp-a', 'azure-b']);
  });

  test('an unknown environment is a ConfigError that lists the known ones', () => {
    expect(() => selectEnvironments(shippedConfig(), 'qa')).toThrow(ConfigError);
    expect(() => selectEnvironments(shippedConfig(), 'qa')).toThrow(/unknown environment "qa": known environments are dev, staging, prod/);
  });

  test('two environments sharing a globally unique name are refused before anything is built', () => {
    const config = parseConfig({
      environments: {
        a: { azure: AZURE_BASE, gcp: { ...GCP_BASE, bucketName: 'acme-xcoms' } },
        b: { azure: AZURE_BASE, gcp: { ...GCP_BASE, bucketName: 'acme-xcoms' } },
      },
    });
    expect(() => buildTerraformApp(Testing.app(), config)).toThrow(
      /environments\.b\.gcp\.bucketName: "acme-xcoms" is already used by environments\.a\.gcp\.bucketName[\s\S]*environments\.b\.azure\.storageAccountName: "acmexcoms01" is already used by environments\.a\.azure\.storageAccountName/,
    );
  });

  test('the synthesized files hold no path of this machine', () => {
    // GIVEN an app synthesized into a temporary directory
    const outdir = tempDir();
    try {
      const app = new App({ outdir });
      buildTerraformApp(app, shippedConfig());
      // WHEN it is synthesized
      app.synth();
      // THEN no file mentions the working directory, the temp dir, the home dir or the output dir
      const forbidden = [process.cwd(), ROOT, os.tmpdir(), os.homedir(), outdir].filter((p) => p.length > 1);
      const files = filesUnder(outdir);
      expect(files.length).toBeGreaterThanOrEqual(7);
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        for (const p of forbidden) expect({ file: path.relative(outdir, file), leaks: text.includes(p) ? p : null }).toEqual({ file: path.relative(outdir, file), leaks: null });
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('every shipped stack emits a binding that is valid once interpolations are replaced', () => {
    const outdir = tempDir();
    try {
      const app = new App({ outdir });
      const stacks = buildTerraformApp(app, shippedConfig());
      app.synth();
      for (const stack of stacks) {
        const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
        const value = substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, (ref) => `<deploy-time:${ref}>`);
        const binding = bindingSchema.parse(JSON.parse(value));
        expect(`${binding.cloud}-${binding.environment}`).toBe(stack.node.id);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
