/**
 * `xcomkit doctor`'s static checks: the Airflow settings in an environment, judged by the rules
 * Airflow and its providers apply when they read them (config variable names, the object storage
 * path, codec, threshold, the connection, the backend and secrets backend class paths). Pure: the
 * variables in, the checks and what the live checks need out.
 */
import { AirflowBinding, Cloud } from '../../binding';
import { COMPRESSION_SUGGESTIONS } from '../../config/common';
import { airflowEnvVar, connectionEnvVar } from '../../airflow/names';
import { requirementsFor } from '../../airflow/requirements';
import { Backend, BACKEND_CLASSES, SECRETS_BACKENDS } from '../../airflow/settings';
import { Check, ProbePlan } from './types';

export const VARS = {
  backend: airflowEnvVar('core', 'xcom_backend'),
  path: airflowEnvVar('common.io', 'xcom_objectstorage_path'),
  threshold: airflowEnvVar('common.io', 'xcom_objectstorage_threshold'),
  compression: airflowEnvVar('common.io', 'xcom_objectstorage_compression'),
  secretsBackend: airflowEnvVar('secrets', 'backend'),
  secretsKwargs: airflowEnvVar('secrets', 'backend_kwargs'),
} as const;

/** Options of the sections doctor knows completely; anything else in them is a typo. */
const KNOWN_IN_SECTION: Readonly<Record<string, readonly string[]>> = {
  COMMON_IO: ['XCOM_OBJECTSTORAGE_PATH', 'XCOM_OBJECTSTORAGE_THRESHOLD', 'XCOM_OBJECTSTORAGE_COMPRESSION'],
  XCOMKIT: ['MIRRORS', 'ALLOWED_TYPES', 'VERIFY_INTEGRITY'],
};
const KNOWN_NAMES = [...Object.values(VARS), ...Object.entries(KNOWN_IN_SECTION).flatMap(([s, ks]) => ks.map((k) => `AIRFLOW__${s}__${k}`))];

/** Schemes Airflow's ObjectStoragePath registers, with the connection types their filesystems read. */
const SCHEMES: Readonly<Record<string, { cloud: Cloud; connTypes: readonly string[] }>> = {
  s3: { cloud: 'aws', connTypes: ['aws'] },
  gs: { cloud: 'gcp', connTypes: ['google_cloud_platform'] },
  gcs: { cloud: 'gcp', connTypes: ['google_cloud_platform'] },
  abfs: { cloud: 'azure', connTypes: ['wasb', 'adls', 'azure_data_lake'] },
  abfss: { cloud: 'azure', connTypes: ['wasb', 'adls', 'azure_data_lake'] },
  adl: { cloud: 'azure', connTypes: ['wasb', 'adls', 'azure_data_lake'] },
};
const WRONG_SCHEMES: Readonly<Record<string, string>> = {
  az: 'abfs',
  wasb: 'abfs',
  wasbs: 'abfss',
  s3a: 's3',
  s3n: 's3',
};
/** fsspec's codecs without extra packages, and those that need one. */
const CODECS_BUILTIN = ['zip', 'bz2', 'gzip', 'lzma', 'xz'];
const CODECS_WITH_LIBRARY: Readonly<Record<string, string>> = { lz4: 'lz4', zstd: 'zstandard' };

/** The Python module that proves each requirement `xcomkit requirements` lists is installed. */
const MODULE_OF_PACKAGE: ReadonlyArray<[RegExp, string[]]> = [
  [/^apache-airflow-providers-common-io$/, ['airflow.providers.common.io.xcom.backend']],
  [/^apache-airflow-providers-amazon/, ['airflow.providers.amazon.aws.fs.s3', 's3fs']],
  [/^apache-airflow-providers-google$/, ['airflow.providers.google.cloud.fs.gcs', 'gcsfs']],
  [/^apache-airflow-providers-microsoft-azure$/, ['airflow.providers.microsoft.azure.fs.adls', 'adlfs']],
  // The runtime package is installed from the kit's runtime/ directory (`./runtime[aws]`), or by name.
  [/^(airflow-xcomkit|\.\/runtime)(\[|$)/, ['airflow_xcomkit.backend']],
  [/^lz4$/, ['lz4.frame']],
  [/^zstandard$/, ['zstandard']],
];

const pass = (id: string, title: string, detail: string): Check => ({ id, title, status: 'pass', detail });
const fail = (id: string, title: string, detail: string, fix: string): Check => ({ id, title, status: 'fail', detail, fix });

/** Underscores, dots and dashes collapsed, upper case: how a misspelt name still resembles the right one. */
const normalize = (name: string) => name.toUpperCase().replace(/[._-]+/g, '_');

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function closest(name: string, candidates: readonly string[], max = 4): string | undefined {
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const dd = distance(normalize(name), normalize(c));
    if (dd < bestD) [best, bestD] = [c, dd];
  }
  return best;
}

function checkNames(vars: Readonly<Record<string, string>>): Check {
  const title = 'Airflow variable names';
  const problems: string[] = [];
  for (const name of Object.keys(vars).sort()) {
    if (KNOWN_NAMES.includes(name)) continue;
    if (/^AIRFLOW_CONN_/i.test(name)) {
      if (name !== name.toUpperCase()) problems.push(`${name}: Airflow looks connections up as AIRFLOW_CONN_<ID in upper case>; rename it to ${name.toUpperCase()}`);
      continue;
    }
    if (!/^airflow/i.test(name) || /^AIRFLOW_(HOME|VAR_.+|CONFIG|UID|GID|PROJ_DIR)$/.test(name)) continue;
    const near = closest(name, KNOWN_NAMES);
    const section = /^AIRFLOW__([A-Z0-9_]+?)__[A-Z0-9_]+$/.exec(name)?.[1];
    if (near && (normalize(name) === normalize(near) || !/^AIRFLOW__[A-Z0-9_]+__[A-Z0-9_]+$/.test(name) || (section && KNOWN_IN_SECTION[section]))) {
      problems.push(`${name} is ignored by Airflow; rename it to ${near}`);
    } else if (section && KNOWN_IN_SECTION[section]) {
      problems.push(`${name}: [${section.toLowerCase().replace('_', '.')}] has no such option (known: ${KNOWN_IN_SECTION[section].join(', ')})`);
    } else if (!/^AIRFLOW__[A-Z0-9_]+__[A-Z0-9_]+$/.test(name) && /XCOM|COMMON|SECRETS/i.test(name)) {
      problems.push(`${name} is not of the form AIRFLOW__<SECTION>__<KEY>: Airflow ignores it`);
    }
  }
  const missing = [VARS.backend, VARS.path].filter((n) => !(n in vars));
  for (const n of missing) problems.push(`${n} is not set`);
  if (problems.length > 0) {
    return fail('names', title, problems.join('; '), 'use the names `xcomkit env` prints (it builds them with Airflow\'s rule AIRFLOW__<SECTION>__<KEY>)');
  }
  return pass('names', title, `${Object.keys(vars).filter((n) => /^AIRFLOW/.test(n)).length} Airflow variables, all well-formed`);
}

interface ParsedPath {
  scheme: string;
  connId?: string;
  bucket: string;
  prefix: string;
}

export function parseObjectStoragePath(value: string): ParsedPath | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/]*)@)?([^/]*)(?:\/(.*))?$/i.exec(value.trim());
  if (!m) return undefined;
  return { scheme: m[1].toLowerCase(), connId: m[2] || undefined, bucket: m[3], prefix: (m[4] ?? '').replace(/\/+$/, '') };
}

function checkPath(vars: Readonly<Record<string, string>>): { check: Check; parsed?: ParsedPath } {
  const title = 'object storage path: scheme, connection id, bucket, prefix';
  const id = 'path';
  const value = vars[VARS.path];
  if (value === undefined || value.trim() === '') {
    return { check: fail(id, title, `${VARS.path} is ${value === undefined ? 'not set' : 'empty'}: the stock backend fails at the first large XCom`, 'set it to <scheme>://<conn_id>@<bucket>/<prefix> (xcomkit env prints it)') };
  }
  const p = parseObjectStoragePath(value);
  if (!p) return { check: fail(id, title, `"${value}" is not a URL`, 'write <scheme>://<conn_id>@<bucket>/<prefix>') };
  if (p.scheme === 'file') {
    if (!value.startsWith('file:///')) return { check: fail(id, title, `"${value}" is relative (file://<dir> resolves against the working directory)`, 'use file:///<absolute dir> (three slashes)') };
    return { check: pass(id, title, `local directory ${value.slice('file://'.length)}`), parsed: p };
  }
  if (!SCHEMES[p.scheme]) {
    const right = WRONG_SCHEMES[p.scheme];
    return {
      check: fail(id, title, `scheme "${p.scheme}://" is not registered with Airflow's ObjectStoragePath`, right ? `use ${right}://${value.slice(p.scheme.length + 3)}` : 'use s3://, gs:// or abfs://'),
    };
  }
  if (!p.connId) {
    return {
      check: fail(id, title, `"${value}" names no connection: Airflow would use the provider's default connection and credential chain, not the kit's identity`, `write ${p.scheme}://<conn_id>@${p.bucket}/${p.prefix}`),
    };
  }
  if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(p.connId)) {
    return { check: fail(id, title, `connection id "${p.connId}" is not a valid Airflow connection id`, 'use letters, digits and "_", starting with a letter') };
  }
  if (!p.bucket) return { check: fail(id, title, `"${value}" has no bucket or container`, `write ${p.scheme}://${p.connId}@<bucket>/<prefix>`) };
  if (p.prefix.split('/').includes('..')) return { check: fail(id, title, `prefix "${p.prefix}" holds ".."`, 'use the stack\'s prefix') };
  const prefixNote = p.prefix === '' ? 'no prefix (the whole bucket: only for a dedicated bucket)' : `prefix ${p.prefix}/`;
  return { check: pass(id, title, `${p.scheme}, connection ${p.connId}, bucket ${p.bucket}, ${prefixNote}`), parsed: p };
}

function checkThreshold(vars: Readonly<Record<string, string>>): Check {
  const title = 'threshold';
  const value = vars[VARS.threshold];
  if (value === undefined) return pass('threshold', title, 'not set: Airflow\'s default -1 keeps every XCom in the database (object storage unused)');
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < -1) {
    return fail('threshold', title, `${VARS.threshold}="${value}": Airflow reads it with getint() and needs an integer >= -1`, 'write a number of bytes, e.g. 1024 (-1 keeps everything in the database, 0 sends everything to storage)');
  }
  const n = Number(value);
  return pass('threshold', title, n === -1 ? '-1: every XCom stays in the database (object storage unused)' : `${n} bytes: values whose JSON has at least ${n} bytes go to storage`);
}

function checkCompression(vars: Readonly<Record<string, string>>): Check {
  const title = 'compression codec';
  const value = vars[VARS.compression];
  if (value === undefined || value === '') return pass('compression', title, 'none');
  if (CODECS_BUILTIN.includes(value)) return pass('compression', title, `${value} (in fsspec's registry)`);
  if (CODECS_WITH_LIBRARY[value]) return pass('compression', title, `${value} (fsspec registers it when ${CODECS_WITH_LIBRARY[value]} is installed: checked with --python)`);
  const suggestion = COMPRESSION_SUGGESTIONS[value.toLowerCase()];
  return fail(
    'compression',
    title,
    `"${value}" is not a codec in fsspec's registry: the first large XCom fails at run time`,
    suggestion ? `use "${suggestion}"` : `use one of ${[...CODECS_BUILTIN, ...Object.keys(CODECS_WITH_LIBRARY)].join(', ')}, or unset it for none`,
  );
}

function checkConnection(vars: Readonly<Record<string, string>>, parsed?: ParsedPath): Check {
  const title = 'connection: JSON and type';
  if (!parsed || parsed.scheme === 'file') return { id: 'connection', title, status: parsed ? 'pass' : 'not-checked', detail: parsed ? 'file:// needs no connection' : 'no usable path' };
  const connId = parsed.connId!;
  const name = connectionEnvVar(connId);
  const want = SCHEMES[parsed.scheme].connTypes;
  const value = vars[name];
  if (value === undefined) {
    if (vars[VARS.secretsBackend]) return pass('connection', title, `${name} not set: read from the secrets backend (checked live)`);
    return fail(
      'connection',
      title,
      `missing connection: the path names "${connId}", but ${name} is not set and no secrets backend is configured`,
      `add ${name} (xcomkit env prints it), or the secrets backend settings for the stack's secret`,
    );
  }
  let connType: string | undefined;
  if (value.trim().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(value);
    } catch (e) {
      return fail('connection', title, `${name} is not valid JSON (${(e as Error).message})`, 'regenerate it with xcomkit env');
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return fail('connection', title, `${name} is JSON but not an object`, 'write {"conn_type": ..., "extra": {...}}');
    const o = doc as Record<string, unknown>;
    connType = typeof o.conn_type === 'string' ? o.conn_type : undefined;
    if (!connType) return fail('connection', title, `${name} has no conn_type`, `add "conn_type": "${want[0]}"`);
    if (typeof o.extra === 'string') {
      try {
        JSON.parse(o.extra);
      } catch {
        return fail('connection', title, `${name}: extra is a string that is not JSON`, 'write extra as a JSON object');
      }
    }
  } else {
    const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value.trim());
    if (!m) return fail('connection', title, `${name} is neither connection JSON nor a connection URI`, 'write connection JSON: {"conn_type": ..., ...}');
    connType = m[1].replace(/-/g, '_');
  }
  if (!want.includes(connType)) {
    return fail('connection', title, `${name} has conn_type "${connType}"; ${parsed.scheme}:// paths need ${want.map((t) => `"${t}"`).join(' or ')}`, `set conn_type to "${want[0]}"`);
  }
  return pass('connection', title, `${name}: ${connType}`);
}

function checkSecretsBackend(vars: Readonly<Record<string, string>>): Check | undefined {
  const cls = vars[VARS.secretsBackend];
  const title = 'secrets backend settings';
  if (!cls) return undefined;
  const known = Object.values(SECRETS_BACKENDS).map((b) => b.className);
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(cls)) return fail('secrets-backend', title, `${VARS.secretsBackend}="${cls}" is not a Python class path`, `use one of ${known.join(', ')}`);
  if (!known.includes(cls)) {
    const near = closest(cls, known, 6);
    if (near) return fail('secrets-backend', title, `${cls} is not a secrets backend class`, `use ${near}`);
  }
  const raw = vars[VARS.secretsKwargs];
  if (raw === undefined) return fail('secrets-backend', title, `${VARS.secretsKwargs} is not set: the backend would look under its default prefix, not the stack's`, 'set it to the JSON xcomkit env prints');
  let kwargs: unknown;
  try {
    kwargs = JSON.parse(raw);
  } catch (e) {
    return fail('secrets-backend', title, `${VARS.secretsKwargs} is not JSON (${(e as Error).message})`, 'write a JSON object, e.g. {"connections_prefix": "..."}');
  }
  if (!kwargs || typeof kwargs !== 'object' || Array.isArray(kwargs)) return fail('secrets-backend', title, `${VARS.secretsKwargs} is not a JSON object`, 'write a JSON object');
  const prefix = (kwargs as Record<string, unknown>).connections_prefix;
  if (typeof prefix !== 'string' || prefix === '') return fail('secrets-backend', title, `${VARS.secretsKwargs} has no connections_prefix`, 'add the stack\'s connections_prefix');
  return pass('secrets-backend', title, `${cls.split('.').pop()} with connections_prefix ${prefix}`);
}

function checkBackend(vars: Readonly<Record<string, string>>): { check: Check; backend?: Backend } {
  const title = 'XCom backend class path';
  const value = vars[VARS.backend];
  if (value === undefined) return { check: fail('backend', title, `${VARS.backend} is not set: Airflow keeps every XCom in its database`, `set it to ${BACKEND_CLASSES.stock}`) };
  const known = Object.entries(BACKEND_CLASSES) as Array<[Backend, string]>;
  const exact = known.find(([, c]) => c === value);
  if (exact) return { check: pass('backend', title, `${value} (${exact[0]} backend)`), backend: exact[0] };
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(value)) return { check: fail('backend', title, `"${value}" is not a Python class path`, `use ${BACKEND_CLASSES.stock}`) };
  const near = closest(value, known.map(([, c]) => c), 6);
  if (near) return { check: fail('backend', title, `${value} is not an importable class (a typo?)`, `use ${near}`) };
  return { check: pass('backend', title, `${value}: a custom backend (its import is checked with --python)`) };
}

function modulesFor(cloud: Cloud | undefined, backend: Backend | undefined, compression: string | null, secretsBackend?: string) {
  const modules: Array<{ package: string; module: string }> = [];
  if (cloud) {
    // requirementsFor reads only the cloud and the codec of a binding.
    const binding = { cloud, xcom: { compression } } as unknown as AirflowBinding;
    for (const r of requirementsFor([binding], backend ?? 'stock')) {
      for (const [re, mods] of MODULE_OF_PACKAGE) if (re.test(r.name)) for (const m of mods) modules.push({ package: r.name, module: m });
    }
  }
  if (secretsBackend) modules.push({ package: 'the secrets backend', module: secretsBackend.split('.').slice(0, -1).join('.') });
  return modules;
}

export function staticChecks(vars: Readonly<Record<string, string>>): { checks: Check[]; plan: ProbePlan } {
  const names = checkNames(vars);
  const backend = checkBackend(vars);
  const path = checkPath(vars);
  const threshold = checkThreshold(vars);
  const compression = checkCompression(vars);
  const connection = checkConnection(vars, path.parsed);
  const secrets = checkSecretsBackend(vars);
  const checks = [names, backend.check, path.check, threshold, compression, connection, ...(secrets ? [secrets] : [])];
  const p = path.parsed;
  const codec = vars[VARS.compression] || null;
  const cloud = p && SCHEMES[p.scheme]?.cloud;
  const plan: ProbePlan = {
    path: p && p.scheme !== 'file' ? vars[VARS.path].trim().replace(/\/+$/, '') : undefined,
    root: p && p.connId ? `${p.scheme}://${p.connId}@${p.bucket}` : undefined,
    scheme: p?.scheme,
    connId: p?.connId,
    connTypes: p && SCHEMES[p.scheme] ? SCHEMES[p.scheme].connTypes : [],
    backend: vars[VARS.backend],
    compression: compression.status === 'pass' ? codec : undefined,
    modules: modulesFor(cloud, backend.backend, compression.status === 'pass' ? codec : null, secrets?.status === 'pass' ? vars[VARS.secretsBackend] : undefined),
  };
  return { checks, plan };
}
