/**
 * CDKTF app (Google Cloud and Azure). Run by `cdktf synth` (cdktf.json) or `npm run synth:tf [-- <env>]`.
 *   XCOMKIT_ENV=prod      synthesize one environment (or pass it as the first argument); none = all
 *   XCOMKIT_CONFIG=file   environments file (default config/environments.yaml)
 * Output goes to cdktf.out/stacks/<cloud>-<env>/cdk.tf.json (CDKTF_OUTDIR when cdktf sets it).
 */
import { App } from 'cdktf';
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from '../lib/config/errors';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load';
import { warnAboutSampleValues } from '../lib/config/samples';
import { buildTerraformApp } from '../lib/terraform/app';

function main(): void {
  const environment = process.env.XCOMKIT_ENV || process.argv[2] || undefined;
  const config = loadConfig(process.env.XCOMKIT_CONFIG || DEFAULT_CONFIG_FILE);
  const app = new App();
  const stacks = buildTerraformApp(app, config, environment);
  if (stacks.length === 0) {
    throw new ConfigError(config.source, [`no environment${environment ? ` "${environment}"` : ''} has a gcp or azure section: nothing to synthesize`]);
  }
  warnAboutSampleValues(config, environment ? [environment] : undefined);
  app.synth();
  if (!process.env.CDKTF_OUTDIR) {
    process.stdout.write(`Synthesized ${stacks.map((s) => s.node.id).join(', ')}\n`);
  }
}

try {
  main();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(CONFIG_ERROR_EXIT_CODE); // the same code as the CDK app
  }
  throw err;
}
