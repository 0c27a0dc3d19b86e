/**
 * Helpers of the consumer tests: the package as `npm pack` makes it, installed into a fresh app in a
 * temporary directory the way a user installs it (`npm install <tarball>`). The dependencies come
 * from the local npm cache that `npm ci` filled (prefer-offline), pinned to the versions this clone
 * has, so nothing but the npm registry is reached, and only for what the cache lacks.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

/** Fails with the command's output when it did not exit 0. */
export function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The version of `name` installed in this clone (what the consumer app pins). */
export function installedVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** `npm pack` of this clone (dist/ built first) into `dir`; the tarball's path. */
export function packKit(dir: string): string {
  ok(run('bash', ['scripts/build.sh'], ROOT), 'scripts/build.sh');
  const out = ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT), 'npm pack');
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  return path.join(dir, filename);
}

/** A fresh app directory with `files` and a package.json depending on the tarball and `dependencies`; installed. */
export function freshApp(name: string, tarball: string, dependencies: Record<string, string>, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xcomkit-${name}-`));
  const pkg = { name, version: '0.0.0', private: true, dependencies: { 'airflow-xcom-kit': `file:${tarball}`, ...dependencies } };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir), `npm install in ${name}`);
  return dir;
}

/** Compiles the app with this clone's TypeScript against the app's own node_modules. */
export function compile(dir: string): void {
  ok(run(path.join(BIN, 'tsc'), ['-p', dir], dir), 'tsc');
}

/** Bytes under `dir` (apparent sizes, symlinks not followed). */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

export const TSCONFIG = `${JSON.stringify(
  { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [], outDir: 'build' }, include: ['*.ts'] },
  null,
  2,
)}\n`;

export { BIN };
