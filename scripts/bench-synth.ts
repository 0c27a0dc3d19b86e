/**
 * Synthesis benchmark: the fast synth (`npm run synth`: dist/bin/synth.js, one Node process) against
 * the CLI path it replaces (`cdk synth --all` through the CDK CLI, then `npm run synth:tf`), side by
 * side in one run, every environment of every cloud, cdk-nag and template validation on in both; and
 * a third path that is not shipped, the same synth with the validator run after it in a process of
 * its own (serialPath), which shows the trade between peak memory and wall time.
 *   npx tsx scripts/bench-synth.ts [runs] [--generated <n>]
 * Measures the shipped config/environments.yaml and a generated file of <n> environments (default 20;
 * 0 skips it), each with an aws, gcp and azure section modelled on the shipped dev, staging and prod in
 * turn. The paths take turns within each round, so a load change falls on all of them. Per path: wall
 * time, CPU time (user + system of every process), and peak memory two ways: the sum of the RSS of
 * every process of the path, sampled every 20 ms (the CLI path runs the CDK CLI and the app at once),
 * and the largest single process's peak from getrusage (exact; for the fast synth, its one process).
 * Prints medians, ranges and the ratios CLI / fast. Not a test: timings depend on the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const generatedAt = args.indexOf('--generated');
const generatedCount = generatedAt >= 0 ? Number(args[generatedAt + 1]) : 20;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--generated') ?? 3);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(generatedCount) || generatedCount < 0) {
  process.stderr.write('usage: npx tsx scripts/bench-synth.ts [runs] [--generated <n>]\n');
  process.exit(2);
}
if (!fs.existsSync('/usr/bin/time')) {
  process.stderr.write('bench-synth: needs GNU time at /usr/bin/time for the CPU time and peak RSS of each process\n');
  process.exit(2);
}

interface Sample {
  wallMs: number;
  cpuS: number;
  /** Sum of the RSS of the process tree, sampled. */
  treeMb: number;
  /** Largest peak RSS of a single process (getrusage, via GNU time). */
  processMb: number;
}

/** Processes below `pid` (Linux /proc), including `pid`. */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of fs.readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim().split(/\s+/)) if (child) out.push(Number(child));
      } catch {
        /* exited */
      }
    }
  }
  return out;
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs one command under GNU time, sampling its process tree's RSS. */
function measure(command: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const timeFile = path.join(os.tmpdir(), `xcomkit-bench-synth-${process.pid}-${Math.random().toString(36).slice(2)}.time`);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, ...command], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let treeKb = 0;
    const sampler = setInterval(() => {
      if (child.pid) treeKb = Math.max(treeKb, tree(child.pid).reduce((sum, pid) => sum + rssKb(pid), 0));
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const timed = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      fs.rmSync(timeFile, { force: true });
      if (code !== 0) return reject(new Error(`${command.join(' ')} exited ${code}:\n${stderr.slice(-3000)}`));
      const [, maxKb, user, sys] = timed.split(' ').map(Number);
      resolve({ wallMs, cpuS: user + sys, treeMb: treeKb / 1024, processMb: maxKb / 1024 });
    });
  });
}

/** The environment without AWS credential sources (nothing is looked up), as the tests run the synth. */
function benchEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(AWS_|CDK_|CDKTF_|XCOMKIT_)/.test(key)) env[key] = value;
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

const node = process.execPath;
const cdk = path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const synth = path.join(root, 'dist', 'bin', 'synth.js');

/** `npm run synth`'s command; `extra` adds to its environment. */
async function fastPath(config: string, out: string, extra: Record<string, string> = {}): Promise<Sample> {
  return measure([node, '--single-threaded-gc', '--max-semi-space-size=1', synth, '--quiet', '--config', config, '--cdk-out', path.join(out, 'cdk.out'), '--cdktf-out', path.join(out, 'cdktf.out')], benchEnv(extra));
}

/**
 * aws-cdk-lib's template validator alone, in a fresh process, over the templates of a cdk.out: the
 * built-in plugin, as the synth runs it (V8's baseline compiler only, as bin/synth.ts sets).
 */
const VALIDATE_ONLY = `
require('v8').setFlagsFromString('--liftoff-only');
const fs = require('fs'), path = require('path');
const { CloudFormationValidatePlugin } = require('aws-cdk-lib');
const dir = process.argv[1];
const templatePaths = fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(dir, f));
const report = new CloudFormationValidatePlugin().validate({ templatePaths, stackTemplates: templatePaths.map((templatePath) => ({ templatePath, stackConstructPath: path.basename(templatePath) })) });
if (!report.success || templatePaths.length === 0) { console.error(JSON.stringify(report)); process.exit(1); }`;

/**
 * The fast synth with the validator kept apart in time instead of overlapped: the synth without
 * template validation (CDK_VALIDATION=false), then the validator alone in a second process. Not a
 * mode the kit ships: it shows what peak memory the validator leaves when it never runs next to the
 * app, and what wall time that costs (docs/benchmarks.md). Peak: the larger of the two processes.
 */
async function serialPath(config: string, out: string): Promise<Sample> {
  const synthOnly = await fastPath(config, out, { CDK_VALIDATION: 'false' });
  const validate = await measure([node, '--single-threaded-gc', '--max-semi-space-size=1', '-e', VALIDATE_ONLY, path.join(out, 'cdk.out')], benchEnv({}));
  return { wallMs: synthOnly.wallMs + validate.wallMs, cpuS: synthOnly.cpuS + validate.cpuS, treeMb: Math.max(synthOnly.treeMb, validate.treeMb), processMb: Math.max(synthOnly.processMb, validate.processMb) };
}

/** `cdk synth --all` (cdk.json's app: tsx bin/aws.ts), then `npm run synth:tf` (tsx bin/terraform.ts). */
async function cliPath(config: string, out: string): Promise<Sample> {
  const aws = await measure([node, cdk, 'synth', '--all', '--quiet', '-c', `config=${config}`, '--output', path.join(out, 'cdk.out')], benchEnv({}));
  fs.mkdirSync(out, { recursive: true });
  const tf = await measure([tsx, 'bin/terraform.ts'], benchEnv({ XCOMKIT_CONFIG: config, CDKTF_OUTDIR: path.join(out, 'cdktf.out') }));
  return { wallMs: aws.wallMs + tf.wallMs, cpuS: aws.cpuS + tf.cpuS, treeMb: Math.max(aws.treeMb, tf.treeMb), processMb: Math.max(aws.processMb, tf.processMb) };
}

/** A config of `count` environments, each shaped like the shipped dev, staging or prod in turn. */
function generatedConfig(count: number, dir: string): string {
  const shipped = parse(fs.readFileSync(path.join(root, 'config', 'environments.yaml'), 'utf8')) as { defaults: unknown; environments: Record<string, Record<string, unknown>> };
  const shapes = Object.values(shipped.environments);
  const environments: Record<string, unknown> = {};
  for (let i = 1; i <= count; i++) {
    const name = `env${String(i).padStart(2, '0')}`;
    const env = structuredClone(shapes[(i - 1) % shapes.length]) as Record<string, Record<string, unknown>>;
    env.tags = { ...env.tags, env: name };
    env.azure = { ...env.azure, storageAccountName: `airflowxcoms${name}`, resourceGroup: { name: `rg-airflow-xcoms-${name}` } };
    environments[name] = env;
  }
  const file = path.join(dir, `environments-${count}.yaml`);
  fs.writeFileSync(file, stringify({ defaults: shipped.defaults, environments }));
  return file;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

function summary(samples: Sample[], key: keyof Sample, unit: (v: number) => string): string {
  const values = samples.map((s) => s[key]);
  return `${unit(median(values))} (${unit(Math.min(...values))}–${unit(Math.max(...values))})`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const cpu = (s: number) => `${s.toFixed(2)} s`;
const mb = (v: number) => `${v.toFixed(0)} MB`;

async function main(): Promise<void> {
  const build = spawnSync('bash', ['scripts/build.sh'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`scripts/build.sh failed:\n${build.stdout}${build.stderr}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-bench-synth-'));
  try {
    const configs: [string, string][] = [['config/environments.yaml (3 environments)', path.join(root, 'config', 'environments.yaml')]];
    if (generatedCount > 0) configs.push([`generated, ${generatedCount} environments`, generatedConfig(generatedCount, tmp)]);
    process.stdout.write(`node ${process.version}, ${os.cpus().length} CPUs, load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs each\n`);
    const rows: string[] = [];
    for (const [label, config] of configs) {
      const paths = [
        { name: 'CLI path', run: cliPath, row: 'CLI path: `cdk synth --all` + `npm run synth:tf`', samples: [] as Sample[] },
        { name: 'fast synth', run: fastPath, row: 'fast: `npm run synth`', samples: [] as Sample[] },
        { name: 'serial', run: serialPath, row: 'fast synth, validator in a later process (not shipped)', samples: [] as Sample[] },
      ];
      // A first untimed round of each warms the file-system cache.
      for (const p of paths) await p.run(config, path.join(tmp, `warm-${p.name.replace(/\W/g, '')}`));
      for (let i = 0; i < runs; i++) {
        const out = path.join(tmp, `${i}`);
        // Each round starts with another path, so a load change falls on all of them.
        for (let k = 0; k < paths.length; k++) {
          const p = paths[(i + k) % paths.length];
          const sample = await p.run(config, path.join(out, p.name.replace(/\W/g, '')));
          p.samples.push(sample);
          process.stdout.write(
            `${label}, run ${i + 1}, ${p.name.padEnd(10)}: wall ${seconds(sample.wallMs)}, CPU ${cpu(sample.cpuS)}, peak ${mb(sample.treeMb)} (all processes), ${mb(sample.processMb)} (largest process)\n`,
          );
        }
        fs.rmSync(out, { recursive: true, force: true });
      }
      const [cli, fast, serial] = paths.map((p) => p.samples);
      const ratio = (of: Sample[], key: keyof Sample) => (median(cli.map((s) => s[key])) / median(of.map((s) => s[key]))).toFixed(2);
      const line = (p: (typeof paths)[number]) => `| ${label} | ${p.row} | ${summary(p.samples, 'wallMs', seconds)} | ${summary(p.samples, 'cpuS', cpu)} | ${summary(p.samples, 'treeMb', mb)} | ${summary(p.samples, 'processMb', mb)} |`;
      const ratios = (name: string, of: Sample[]) => `| ${label} | ratio CLI / ${name} (medians) | ${ratio(of, 'wallMs')}× | ${ratio(of, 'cpuS')}× | ${ratio(of, 'treeMb')}× | ${ratio(of, 'processMb')}× |`;
      rows.push(...paths.map(line), ratios('fast', fast), ratios('serial', serial));
    }
    process.stdout.write(`load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
    process.stdout.write('| Config | Path | Wall (median, range) | CPU | Peak RSS, all processes | Peak RSS, largest process |\n| --- | --- | --- | --- | --- | --- |\n');
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-synth: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
