/**
 * `xcomkit doctor`: static checks of the Airflow settings, then live checks with their credentials
 * in the interpreter Airflow runs with. A report row is pass, fail or not checked; "not enforced
 * here" (a local server without IAM) is not checked, never a pass.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Style } from '../io';
import { probeEnvironment } from './source';
import { Check, ProbePlan } from './types';

export { staticChecks } from './static-checks';
export { readSource, parseDotenv } from './source';
export type { Check, CheckStatus, ProbePlan } from './types';

const PROBE = path.join(__dirname, 'probe.py');
const RESULT_MARKER = 'XCOMKIT-DOCTOR-RESULT ';
/** Bounded: a live check that hangs (an unreachable endpoint retried by a client) must not hang doctor. */
export const PROBE_TIMEOUT_MS = 180_000;

const LIVE = [
  ['packages', 'packages of `xcomkit requirements` import'],
  ['backend-import', 'XCom backend class imports'],
  ['compression-live', 'compression codec is registered in fsspec'],
  ['connection-live', 'connection resolves through the configured secrets backend'],
  ['write', 'write under the prefix'],
  ['read', 'read it back'],
  ['list', 'list under the prefix'],
  ['outside-prefix', 'write outside the prefix is refused'],
  ['bucket-change', 'bucket-level change is refused'],
  ['delete', 'delete the probe (nothing left behind)'],
] as const;

function notChecked(ids: readonly string[], detail: string): Check[] {
  return LIVE.filter(([id]) => ids.includes(id)).map(([id, title]) => ({ id, title, status: 'not-checked' as const, detail }));
}

export interface LiveOptions {
  readonly python?: string;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly airflow: Readonly<Record<string, string>>;
  /** Static checks failed on which the live checks depend: skip them. */
  readonly blocked: boolean;
}

/** Runs probe.py in `python` with the settings under test; its checks, or not-checked rows saying why. */
export function liveChecks(plan: ProbePlan, o: LiveOptions): Check[] {
  const all = LIVE.map(([id]) => id);
  if (!o.python) return notChecked(all, 'needs Airflow\'s interpreter: add --python <path to the python Airflow runs with>');
  const storage = ['connection-live', 'write', 'read', 'list', 'outside-prefix', 'bucket-change', 'delete'];
  const live = !o.blocked && plan.path !== undefined && plan.connId !== undefined;
  const request = {
    modules: plan.modules,
    backend: plan.backend,
    ...(plan.compression !== undefined ? { compression: plan.compression } : {}),
    live,
    scheme: plan.scheme,
    path: plan.path,
    root: plan.root,
    conn_id: plan.connId,
    conn_types: plan.connTypes,
  };
  const env = probeEnvironment(o.processEnv, o.airflow);
  // Airflow may write files under AIRFLOW_HOME: without one set, use a temporary home removed afterwards.
  const home = env.AIRFLOW_HOME ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-doctor-'));
  if (home) env.AIRFLOW_HOME = home;
  try {
    const r = spawnSync(o.python, [PROBE], { input: JSON.stringify(request), env, encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    if (r.error) {
      const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${o.python} not found` : r.error.message;
      return [{ id: 'probe', title: 'live checks ran', status: 'fail', detail: why, fix: 'pass --python the path of the interpreter Airflow runs with' }, ...notChecked(all, 'the probe did not run')];
    }
    const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
    if (!line) {
      return [
        { id: 'probe', title: 'live checks ran', status: 'fail', detail: `${o.python} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).slice(-600)}`, fix: 'is Apache Airflow installed in that interpreter?' },
        ...notChecked(all, 'the probe did not run'),
      ];
    }
    const checks = JSON.parse(line.slice(RESULT_MARKER.length)) as Check[];
    if (!live) {
      const why = plan.path === undefined ? 'no usable object storage path' : 'a static check above failed; fix it first';
      checks.push(...notChecked(storage, why));
    }
    return checks;
  } finally {
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }
}

export function summarize(checks: readonly Check[]) {
  return {
    pass: checks.filter((c) => c.status === 'pass').length,
    fail: checks.filter((c) => c.status === 'fail').length,
    notChecked: checks.filter((c) => c.status === 'not-checked').length,
  };
}

const LABEL = { pass: 'pass', fail: 'FAIL', 'not-checked': 'not checked' } as const;

export function renderTable(source: string, checks: readonly Check[], s: Style): string {
  const width = Math.max(...checks.map((c) => c.title.length));
  const color = (c: Check) => (c.status === 'fail' ? s.red : c.status === 'not-checked' ? s.yellow : (x: string) => x);
  const lines = [s.bold(`xcomkit doctor: ${source}`), ''];
  for (const c of checks) {
    lines.push(`  ${color(c)(LABEL[c.status].padEnd(11))}  ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.status === 'fail' && c.fix) lines.push(`  ${''.padEnd(11)}  ${''.padEnd(width)}  ${s.bold('fix:')} ${c.fix}`);
  }
  const sum = summarize(checks);
  lines.push('', `${sum.pass} passed, ${sum.fail} failed, ${sum.notChecked} not checked${sum.fail === 0 && sum.notChecked === 0 ? ': all good' : ''}`);
  return lines.join('\n') + '\n';
}
