/**
 * Synthesis benchmark for the CDKTF app (every GCP and Azure environment of the environments file).
 *   npx tsx scripts/bench-terraform.ts [runs]     (XCOMKIT_CONFIG selects another file)
 * Each run is a fresh Node process (`tsx bin/terraform.ts` into a temporary directory), so module loading
 * is measured the way `npm run synth:tf` pays it. Prints wall time per run, the median, and the peak
 * resident memory of the slowest run. Not a test: timings depend on the machine.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 5);
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const times: number[] = [];
let peakKb = 0;
let stacks: string[] = [];

for (let i = 0; i < runs; i++) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-bench-'));
  const start = process.hrtime.bigint();
  // /usr/bin/time -v reports the child's peak RSS when available (GNU time); fall back to plain spawn.
  const gnuTime = fs.existsSync('/usr/bin/time');
  const result = gnuTime
    ? spawnSync('/usr/bin/time', ['-v', tsx, 'bin/terraform.ts'], { cwd: root, env: { ...process.env, XCOMKIT_ENV: '', CDKTF_OUTDIR: outdir }, encoding: 'utf8' })
    : spawnSync(tsx, ['bin/terraform.ts'], { cwd: root, env: { ...process.env, XCOMKIT_ENV: '', CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr ?? '');
  if (rss) peakKb = Math.max(peakKb, Number(rss[1]));
  stacks = fs.readdirSync(path.join(outdir, 'stacks')).sort();
  fs.rmSync(outdir, { recursive: true, force: true });
  times.push(ms);
  process.stdout.write(`run ${i + 1}: ${(ms / 1000).toFixed(2)} s\n`);
}

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
process.stdout.write(
  `stacks: ${stacks.length} (${stacks.join(', ')})\n` +
    `median: ${(median / 1000).toFixed(2)} s, min ${(sorted[0] / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1] / 1000).toFixed(2)} s` +
    (peakKb ? `, peak RSS ${(peakKb / 1024).toFixed(0)} MB` : '') +
    `\nbudget: all GCP and Azure environments under 2 s -> ${median < 2000 ? 'met' : 'NOT met'}\n`,
);
