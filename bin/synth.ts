/**
 * The fast synth: every environment of every cloud in one Node process, from compiled JS.
 *   npm run synth                         every environment: cdk.out (AWS CDK) and cdktf.out (GCP, Azure)
 *   npm run synth -- --env prod           one environment (each cloud it has)
 *   npm run synth -- --config other.yaml  another environments file (XCOMKIT_CONFIG works too)
 *   npm run synth -- --cdk-out dir --cdktf-out dir
 * It writes what `cdk synth --all` and `npm run synth:tf` write (the same templates, byte for byte;
 * test/synth/fast-synth.integration.test.ts), with cdk-nag and aws-cdk-lib's template validation on
 * and the CDK context the CDK CLI would pass (lib/apps/cdk-cli-context.ts), so `cdk deploy --app
 * cdk.out` and `terraform` in cdktf.out/stacks/<stack> work on them. Both directories are replaced
 * only when every stack synthesized and passed its checks.
 *
 * Compiled to dist/bin/synth.js by `npm run build`; the cloud libraries are loaded only for the
 * clouds the selected environments use. `npm run synth` runs it as `node --single-threaded-gc
 * --max-semi-space-size=1 dist/bin/synth.js`: a 1 MB semi-space keeps the young generation of
 * both threads small (about 25 MB less peak memory at the same CPU time); and while the template
 * validator builds its engine, V8 runs hundreds of full garbage collections (its WebAssembly memory
 * grows step by step), and without GC helper threads the synth takes about a third less CPU
 * (docs/benchmarks.md). Neither flag can be set once Node runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import { cdkCliContext, FAIL_SYNTH_ON_VALIDATION_ERRORS } from '../lib/apps/cdk-cli-context';
import { startCfnValidation, type CfnValidation } from '../lib/apps/cfn-validation';
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from '../lib/config/errors';
import { DEFAULT_CONFIG_FILE, loadConfig, selectEnvironment, type KitConfig } from '../lib/config/load';
import { warnAboutSampleValues } from '../lib/config/samples';

const USAGE = 'usage: npm run synth -- [--env <name>] [--config <file>] [--cdk-out <dir>] [--cdktf-out <dir>] [--quiet]';
const HELP = `${USAGE}
Synthesizes every environment of every cloud in one process: AWS CDK stacks (cdk-nag and template
validation on) into --cdk-out, GCP and Azure CDKTF stacks into --cdktf-out.
  --env <name>       one environment, each cloud it has (default: every environment)
  --config <file>    environments file (default: $XCOMKIT_CONFIG, then config/environments.yaml)
  --cdk-out <dir>    CDK cloud assembly, for cdk deploy --app <dir> (default: cdk.out)
  --cdktf-out <dir>  CDKTF output, terraform runs in <dir>/stacks/<stack> (default: cdktf.out)
  -q, --quiet        no summary of what was written
  -h, --help         this text
CDK_VALIDATION=false turns aws-cdk-lib's template validation off, as it does for cdk synth.
Exit codes: 0 written, 1 invalid configuration or a failed check (nothing written), 2 bad arguments.`;
/** Bad arguments, as the other commands of the kit exit on usage errors. */
const USAGE_EXIT_CODE = 2;

interface Options {
  readonly environment?: string;
  readonly configFile: string;
  readonly cdkOut: string;
  readonly cdktfOut: string;
  readonly quiet: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      config: { type: 'string' },
      'cdk-out': { type: 'string' },
      'cdktf-out': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; name the environment with --env ${positionals[0]}`);
  for (const flag of ['env', 'config', 'cdk-out', 'cdktf-out'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} is empty; give a value or leave the flag out`);
  }
  const cdkOut = path.resolve(values['cdk-out'] ?? 'cdk.out');
  const cdktfOut = path.resolve(values['cdktf-out'] ?? 'cdktf.out');
  if (cdkOut === cdktfOut) throw new UsageError(`--cdk-out and --cdktf-out are both ${cdkOut}; give each its own directory`);
  return {
    environment: values.env,
    configFile: values.config ?? (process.env.XCOMKIT_CONFIG || DEFAULT_CONFIG_FILE),
    cdkOut,
    cdktfOut,
    quiet: values.quiet === true,
  };
}

class UsageError extends Error {}

/** The selected environments that have a section for each kind of app. */
function clouds(config: KitConfig, environment: string | undefined): { aws: boolean; terraform: boolean } {
  const selected = environment ? [selectEnvironment(config, environment)[1]] : Object.values(config.environments);
  return { aws: selected.some((e) => e.aws), terraform: selected.some((e) => e.gcp || e.azure) };
}

/** A fresh directory next to `target`, so that the final rename stays on one file system. */
function stagingDir(target: string): string {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  return fs.mkdtempSync(`${target}.tmp-`);
}

/** Puts `staged` in place of `target` (a directory or nothing), removing the old one. */
function replaceDir(staged: string, target: string): void {
  const old = `${staged}.old`;
  const hadOld = fs.existsSync(target);
  if (hadOld) fs.renameSync(target, old);
  fs.renameSync(staged, target);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

async function main(): Promise<void> {
  // The template validator is a 9 MB WebAssembly module. V8's baseline compiler alone (no optimizing
  // tier-up, which recompiles its hot functions in the background) keeps about 100 MB less and
  // finishes sooner on a busy machine: measured in docs/benchmarks.md. Set before the module compiles.
  v8.setFlagsFromString('--liftoff-only');
  const options = parseOptions(process.argv.slice(2));
  const config = loadConfig(options.configFile);
  const want = clouds(config, options.environment);
  if (!want.aws && !want.terraform) {
    throw new ConfigError(config.source, [`no environment${options.environment ? ` "${options.environment}"` : ''} has an aws, gcp or azure section: nothing to synthesize`]);
  }
  const staged: [string, string][] = [];
  // The template validator's engine takes longest to load: its worker starts first (see
  // lib/apps/cfn-validation.ts). CDK_VALIDATION=false turns validation off, as it does for `cdk synth`.
  const validation: CfnValidation | undefined = want.aws && process.env.CDK_VALIDATION !== 'false' ? startCfnValidation() : undefined;
  try {
    // The AWS side first, then the CDKTF side: the validator's worker holds about 200 MB (its
    // WebAssembly memory and code) and the AWS stacks most of the rest, so the worker ends before
    // cdktf and the provider bindings are loaded (docs/benchmarks.md). Nothing is written to the
    // target directories until both sides are synthesized.
    warnAboutSampleValues(config, options.environment ? [options.environment] : undefined);
    let awsStacks: string[] = [];
    if (want.aws) {
      const outdir = stagingDir(options.cdkOut);
      staged.push([outdir, options.cdkOut]);
      const { buildAwsApp, newAwsApp } = await import('../lib/apps/aws-app');
      validation?.install();
      // The CLI's context (so every output byte is the same); without a CLI to read the validation
      // report, the app fails the synth itself on a cdk-nag or template-validation error.
      const context = { ...cdkCliContext(process.cwd()), [FAIL_SYNTH_ON_VALIDATION_ERRORS]: true };
      const { app, stacks } = buildAwsApp(config, { app: newAwsApp({ outdir, context }), environment: options.environment });
      app.synth();
      awsStacks = Object.keys(stacks);
      if (process.exitCode) throw new Error('the AWS synth reported errors (above)');
    }
    await validation?.stop();
    let terraformStacks: string[] = [];
    if (want.terraform) {
      const outdir = stagingDir(options.cdktfOut);
      staged.push([outdir, options.cdktfOut]);
      const [{ App }, { buildTerraformApp }] = await Promise.all([import('cdktf'), import('../lib/apps/terraform-app')]);
      const app = new App({ outdir });
      const stacks = buildTerraformApp(app, config, options.environment);
      app.synth();
      terraformStacks = stacks.map((s) => s.node.id);
    }
    for (const [dir, target] of staged) replaceDir(dir, target);
    staged.length = 0;
    if (!options.quiet) {
      const where = (dir: string) => {
        const relative = path.relative(process.cwd(), dir);
        return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
      };
      if (want.aws) process.stdout.write(`Synthesized ${awsStacks.join(', ')} (AWS CDK) into ${where(options.cdkOut)}\n`);
      if (want.terraform) process.stdout.write(`Synthesized ${terraformStacks.join(', ')} (CDKTF) into ${where(options.cdktfOut)}\n`);
    }
  } finally {
    await validation?.stop();
    for (const [dir] of staged) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(CONFIG_ERROR_EXIT_CODE); // the code of bin/aws.ts and bin/terraform.ts
  }
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) {
    process.stderr.write(`synth: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(USAGE_EXIT_CODE);
  }
  // aws-cdk-lib's ValidationError carries the whole cdk-nag or template-validation report as its message.
  const text = err instanceof Error ? (err.name === 'ValidationError' ? err.message : (err.stack ?? err.message)) : String(err);
  process.stderr.write(`synth failed: ${text}\n`);
  process.exit(1);
});
