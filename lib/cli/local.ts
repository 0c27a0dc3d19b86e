/**
 * `xcomkit local up|down|status`: the environment's synthesized stacks deployed into local servers
 * (moto with IAM enforcement, the GCS emulator, Azurite). The servers and their clients are Python
 * (moto, gcp-storage-emulator, boto3, azure-storage-blob), so the work is done by the `localcloud`
 * package in e2e/, which the end-to-end suite shares; this command runs it in the project's venv.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from './errors';

/** The clone this CLI runs from (the directory with package.json), whether from lib/ or the compiled dist/lib/. */
export const REPO_ROOT = findPackageRoot(__dirname);

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}
export const DEFAULT_STATE_DIR = '.xcomkit/local';
/** `local up` waits for each server with its own bound (30 s); this bounds the whole command. */
const TIMEOUT_MS = 300_000;

/** The interpreter with the servers installed: --python, XCOMKIT_PYTHON, or the project's .venv. */
export function localPython(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const python = explicit ?? env.XCOMKIT_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!fs.existsSync(python)) {
    throw new CliError(`no Python with the local servers at ${python}: run bash scripts/setup-python.sh (or pass --python)`);
  }
  return python;
}

export interface LocalResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runLocal(args: readonly string[], python: string, env: NodeJS.ProcessEnv): LocalResult {
  const r = spawnSync(python, ['-m', 'localcloud', ...args], {
    cwd: process.cwd(),
    env: { ...env, PYTHONPATH: [path.join(REPO_ROOT, 'e2e'), env.PYTHONPATH].filter(Boolean).join(path.delimiter) },
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw new CliError(`could not run ${python} -m localcloud: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
