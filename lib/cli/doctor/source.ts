/**
 * What `xcomkit doctor` examines: the Airflow variables of a `.env` file, of deploy outputs (through
 * the same settings `xcomkit env` would print), or of the current environment. Variables that are
 * not Airflow's (credentials, endpoints: what the platform gives the Airflow process) always come
 * from the current environment.
 */
import * as fs from 'node:fs';
import { buildSettings, Backend } from '../../airflow/settings';
import { CliError } from '../errors';
import { findCandidates, selectBinding } from '../input';

export interface DoctorSource {
  /** For the report: `.env file x`, `deploy outputs x (aws/dev)`, `the current environment`. */
  readonly description: string;
  /** The Airflow variables under test. */
  readonly airflow: Record<string, string>;
}

const isAirflowName = (name: string) => /^airflow/i.test(name) && !/^AIRFLOW_HOME$/.test(name);

/** Parses dotenv text the way python-dotenv and docker compose agree on (the subset xcomkit writes and people type). */
export function parseDotenv(text: string, origin: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new CliError(`${origin}:${i + 1}: not a KEY=value line: ${line.slice(0, 80)}`);
    let value = m[2];
    if (value.startsWith("'")) {
      if (!value.endsWith("'") || value.length < 2) throw new CliError(`${origin}:${i + 1}: unterminated single quote in ${m[1]}`);
      value = value.slice(1, -1);
    } else if (value.startsWith('"')) {
      if (!value.endsWith('"') || value.length < 2) throw new CliError(`${origin}:${i + 1}: unterminated double quote in ${m[1]}`);
      value = value.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[m[1]] = value;
  });
  return out;
}

function looksLikeJson(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    return buf.subarray(0, n).toString('utf8').trimStart().startsWith('{');
  } finally {
    fs.closeSync(fd);
  }
}

export interface SourceOptions {
  readonly cloud?: string;
  readonly env?: string;
  readonly backend: Backend;
}

export function readSource(source: string | undefined, processEnv: NodeJS.ProcessEnv, o: SourceOptions): DoctorSource {
  if (source === undefined) {
    const airflow = Object.fromEntries(Object.entries(processEnv).filter(([k, v]) => isAirflowName(k) && v !== undefined)) as Record<string, string>;
    return { description: 'the current environment', airflow };
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new CliError(`${source} does not exist; pass a .env file, deploy outputs (cdk deploy --outputs-file, terraform output -json), or nothing for the current environment`);
  }
  if (stat.isDirectory() || looksLikeJson(source)) {
    const found = selectBinding(findCandidates(source), { cloud: o.cloud, env: o.env });
    if (found.synthesized) throw new CliError(`${found.origin} is a synth output: nothing is deployed to check; deploy (or run xcomkit local up) and pass the deploy outputs`);
    const settings = buildSettings(found.binding, { backend: o.backend });
    const airflow = Object.fromEntries(settings.settings.map((s) => [s.name, s.value]));
    return { description: `deploy outputs ${found.origin} (${found.binding.cloud}/${found.binding.environment}, ${o.backend} backend)`, airflow };
  }
  const airflow = Object.fromEntries(Object.entries(parseDotenv(fs.readFileSync(source, 'utf8'), source)).filter(([k]) => isAirflowName(k)));
  return { description: `.env file ${source}`, airflow };
}

/** The environment of the live checks: the current one without its Airflow variables, plus the source's. */
export function probeEnvironment(processEnv: NodeJS.ProcessEnv, airflow: Readonly<Record<string, string>>): Record<string, string> {
  const base = Object.fromEntries(Object.entries(processEnv).filter(([k, v]) => v !== undefined && (!isAirflowName(k) || k === 'AIRFLOW_HOME'))) as Record<string, string>;
  return { ...base, ...airflow };
}
