/**
 * Start-up of the `xcomkit` command, side by side in one run: the launcher of earlier releases (tsx
 * transpiling the TypeScript sources at run time) and the compiled CLI the package ships (dist/).
 *   npx tsx scripts/bench-startup.ts [runs]      (builds dist/ first when it is stale)
 * Each run is a fresh Node process of `xcomkit --help` and of `xcomkit env <binding> --format dotenv`;
 * the two launchers alternate, so machine load hits both alike. Prints medians and the ratio.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 10);
const binding = path.join(root, 'test', 'fixtures', 'bindings', 'aws-role.json');

const LAUNCHERS = {
  // 'xcomkit' stands in for the script path that commander skips in process.argv.
  'tsx on the sources (before)': ['-e', "require('tsx/cjs/api').register(); require('./lib/cli/main.ts').main()", 'xcomkit'],
  'compiled dist/ (after)': [path.join(root, 'bin', 'xcomkit.js')],
} as const;
const COMMANDS = { '--help': ['--help'], 'env <binding>': ['env', binding, '--format', 'dotenv'] } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...args], { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const build = spawnSync('bash', ['scripts/build.sh'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(build.stderr);

for (const [command, commandArgs] of Object.entries(COMMANDS)) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(LAUNCHERS).map((k) => [k, []]));
  for (let i = 0; i < runs + 1; i++) {
    for (const [name, launcher] of Object.entries(LAUNCHERS)) {
      const ms = time([...launcher, ...commandArgs]);
      if (i > 0) samples[name].push(ms); // the first round warms the file cache
    }
  }
  const [before, after] = Object.values(samples).map(median);
  process.stdout.write(`xcomkit ${command}, ${runs} runs each:\n`);
  for (const [name, values] of Object.entries(samples)) {
    process.stdout.write(`  ${name.padEnd(30)} median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})\n`);
  }
  process.stdout.write(`  ratio before/after: ${(before / after).toFixed(2)}x\n`);
}
