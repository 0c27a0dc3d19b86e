/**
 * Synthesis benchmark for the AWS app (every environment of the environments file with an `aws` section).
 *   npx tsx scripts/bench-aws.ts [runs]
 * Measures (1) the real path, `cdk synth` through the CLI in a fresh process (cdk-nag and aws-cdk-lib's
 * template validation on), and (2) in one process, the first synth (module loading) and then each
 * environment with template validation on and off (the unit tests switch it off). Not a test: timings depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAwsApp } from '../lib/apps/aws-app';
import { loadConfig } from '../lib/config';

const root = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

// (1) The CLI path, as `cdk synth` runs it.
const cli: number[] = [];
for (let i = 0; i < runs; i++) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-bench-aws-'));
  const start = process.hrtime.bigint();
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir], { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  cli.push(ms);
  process.stdout.write(`cdk synth (all environments), run ${i + 1}: ${seconds(ms)}\n`);
}

// (2) In-process synth per environment, validation on and off.
const config = loadConfig(path.join(root, 'config', 'environments.yaml'));
const environments = Object.keys(config.environments).filter((name) => config.environments[name].aws);
const synthOnce = (environment: string, templateValidation: boolean): number => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-bench-aws-'));
  const start = process.hrtime.bigint();
  buildAwsApp(config, { environment, templateValidation, appProps: { outdir } }).app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  return ms;
};
const firstOff = synthOnce(environments[0], false); // loads aws-cdk-lib, cdk-nag and the stack code
const firstOn = synthOnce(environments[0], true); // additionally loads the template validator
process.stdout.write(`first synth in a process: validation off ${seconds(firstOff)}; then the first with validation on ${seconds(firstOn)}\n`);
for (const validation of [true, false]) {
  for (const environment of environments) {
    const times = Array.from({ length: runs }, () => synthOnce(environment, validation));
    process.stdout.write(`in-process synth ${environment}, template validation ${validation ? 'on ' : 'off'}: median ${seconds(median(times))}\n`);
  }
}
process.stdout.write(`cdk synth (all environments): median ${seconds(median(cli))}\n`);
