/**
 * Validation of a binding before anything is rendered: one error listing every problem, each naming
 * the field, the bad value and the fix. Placeholders are accepted only where a deploy-time value goes.
 */
import { AirflowBinding, bindingSchema, Cloud, CLOUDS, CONN_TYPE_BY_CLOUD, SCHEME_BY_CLOUD, SecretRef } from '../binding';
import { didYouMean, describeIssues, invalidValueProblem } from '../issues';
import { compressionProblem, showValue, THRESHOLD_RULE } from '../rules';
import { AirflowSettingsError } from './errors';
import { hasPlaceholder } from './placeholder';

/** Identity modes each cloud's stack can produce. */
export const MODES_BY_CLOUD: Readonly<Record<Cloud, readonly string[]>> = {
  aws: ['user', 'role', 'existing'],
  gcp: ['workload-identity', 'key', 'existing'],
  azure: ['workload-identity', 'key', 'existing'],
};
/** Where each cloud's stack stores a secret connection. */
export const SECRET_STORE_BY_CLOUD: Readonly<Record<Cloud, SecretRef['store']>> = {
  aws: 'aws-secrets-manager',
  gcp: 'gcp-secret-manager',
  azure: 'azure-key-vault',
};
/** Identity modes whose credential is a stored secret. */
export const SECRET_MODES: readonly string[] = ['user', 'key'];

/** Schemes users try for Azure that Airflow does not register. */
const AZURE_WRONG_SCHEMES = ['az', 'wasb', 'wasbs', 'https', 'http'];

function get(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const key of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const show = showValue;

/**
 * Rules whose schema messages would be zod's own (an enum list, "expected int"): checked on the raw
 * document first, in the describer's sentence (`field: value is not valid: fix`), with the fix.
 */
function friendlyChecks(raw: unknown): string[] {
  const problems: string[] = [];
  const compression = get(raw, 'xcom', 'compression');
  const compressionIssue = compression === undefined ? undefined : compressionProblem(compression);
  if (compressionIssue) problems.push(invalidValueProblem('xcom.compression', compression, compressionIssue));
  const threshold = get(raw, 'xcom', 'threshold');
  if (threshold !== undefined && !(typeof threshold === 'number' && Number.isInteger(threshold) && threshold >= -1)) {
    problems.push(invalidValueProblem('xcom.threshold', threshold, THRESHOLD_RULE));
  }
  return problems;
}

interface ParsedPath {
  scheme: string;
  connId: string;
  bucket: string;
  prefix: string;
}

function parsePath(path: string): ParsedPath | undefined {
  const m = /^([a-z0-9+.-]+):\/\/([^@/]+)@([^/]+)(?:\/(.*))?$/i.exec(path);
  if (!m) return undefined;
  return { scheme: m[1], connId: m[2], bucket: m[3], prefix: m[4] ?? '' };
}

function pathChecks(b: AirflowBinding): string[] {
  const problems: string[] = [];
  const expected = SCHEME_BY_CLOUD[b.cloud];
  const parsed = parsePath(b.xcom.path);
  if (!parsed) {
    const scheme = /^([a-z0-9+.-]+):/i.exec(b.xcom.path)?.[1];
    if (scheme && b.cloud === 'azure' && AZURE_WRONG_SCHEMES.includes(scheme.toLowerCase())) {
      problems.push(`xcom.path ${show(b.xcom.path)} uses "${scheme}://", which Airflow does not register for Azure; use "abfs://<conn_id>@<container>/<prefix>"`);
    } else {
      problems.push(`xcom.path ${show(b.xcom.path)} is not of the form ${expected}://<conn_id>@<bucket>/<prefix>`);
    }
    return problems;
  }
  if (parsed.scheme !== expected) {
    const hint =
      b.cloud === 'azure' && AZURE_WRONG_SCHEMES.includes(parsed.scheme.toLowerCase())
        ? `; "${parsed.scheme}://" is not registered by Airflow's object storage (only abfs, abfss, adl are)`
        : '';
    problems.push(`xcom.path ${show(b.xcom.path)} must use "${expected}://" for cloud ${b.cloud}${hint}`);
  }
  if (parsed.connId !== b.connection.id) {
    problems.push(`xcom.path ${show(b.xcom.path)} names connection "${parsed.connId}" but connection.id is "${b.connection.id}"`);
  }
  if (parsed.bucket !== b.storage.bucket) {
    problems.push(`xcom.path ${show(b.xcom.path)} names bucket "${parsed.bucket}" but storage.bucket is "${b.storage.bucket}"`);
  }
  if (parsed.prefix !== b.storage.prefix) {
    problems.push(`xcom.path ${show(b.xcom.path)} has prefix "${parsed.prefix}" but storage.prefix is "${b.storage.prefix}"`);
  }
  return problems;
}

/** Fields that are known at synth time: a placeholder there means a broken binding. */
function placeholderChecks(b: AirflowBinding): string[] {
  const fixed: Array<[string, string | undefined]> = [
    ['environment', b.environment],
    ['storage.prefix', b.storage.prefix],
    ['connection.id', b.connection.id],
    ['identity.secret.connectionsPrefix', b.identity.secret?.connectionsPrefix],
    ['xcom.path (scheme and connection part)', b.xcom.path.split('@')[0]],
  ];
  return fixed
    .filter(([, value]) => value !== undefined && hasPlaceholder(value))
    .map(([field, value]) => `${field} ${show(value)} must be known at synth time, not a deploy-time value`);
}

function identityChecks(b: AirflowBinding): string[] {
  const problems: string[] = [];
  const { identity } = b;
  if (!MODES_BY_CLOUD[b.cloud].includes(identity.mode)) {
    problems.push(`identity.mode "${identity.mode}" is not a ${b.cloud} mode (allowed: ${MODES_BY_CLOUD[b.cloud].join(', ')})`);
  }
  if (b.connection.type !== CONN_TYPE_BY_CLOUD[b.cloud]) {
    problems.push(`connection.type "${b.connection.type}" does not match cloud ${b.cloud} (expected "${CONN_TYPE_BY_CLOUD[b.cloud]}")`);
  }
  if (SECRET_MODES.includes(identity.mode)) {
    if (!identity.secret) {
      problems.push(`identity.secret is missing: mode "${identity.mode}" keeps its credential in a secret store, and the binding must say where`);
    } else if (identity.secret.store !== SECRET_STORE_BY_CLOUD[b.cloud]) {
      problems.push(`identity.secret.store "${identity.secret.store}" does not match cloud ${b.cloud} (expected "${SECRET_STORE_BY_CLOUD[b.cloud]}")`);
    }
  }
  if (b.cloud === 'aws' && identity.mode === 'role' && !identity.roleArn && !b.connection.extra.role_arn) {
    problems.push('identity.roleArn is missing: role mode needs the ARN of the role Airflow assumes');
  }
  if (b.cloud === 'azure' && !b.storage.account) {
    problems.push('storage.account is missing: Azure needs the storage account name');
  }
  return problems;
}

/** The schema's issues, in the same sentences as the environments file's errors (lib/issues.ts). */
function schemaProblems(raw: unknown): { binding?: AirflowBinding; problems: string[] } {
  const result = bindingSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { binding: result.data, problems: [] };
  return { problems: describeIssues([], raw, result.error, bindingSchema, { top: 'the binding', docs: 'docs/cli.md' }) };
}

/**
 * Validates a binding document (as parsed from JSON) and returns it typed. Throws
 * {@link AirflowSettingsError} listing every problem.
 */
export function validateBinding(raw: unknown, context = 'invalid Airflow binding'): AirflowBinding {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AirflowSettingsError(context, ['expected a JSON object with schemaVersion, cloud, storage, xcom, connection, identity']);
  }
  const cloud = get(raw, 'cloud');
  if (typeof cloud === 'string' && !(CLOUDS as readonly string[]).includes(cloud)) {
    throw new AirflowSettingsError(context, [invalidValueProblem('cloud', cloud, `must be one of ${CLOUDS.join(', ')}${didYouMean(cloud, CLOUDS)}`)]);
  }
  const friendly = friendlyChecks(raw);
  const reported = ['xcom.compression', 'xcom.threshold'].filter((f) => friendly.some((p) => p.startsWith(`${f}:`)));
  const { binding, problems: schema } = schemaProblems(raw);
  // Drop schema issues already reported in friendlier words.
  const problems = [...friendly, ...schema.filter((p) => !reported.some((f) => p.startsWith(`${f}:`) || p.startsWith(`${f} `)))];
  if (binding) problems.push(...placeholderChecks(binding), ...pathChecks(binding), ...identityChecks(binding));
  if (problems.length > 0 || !binding) throw new AirflowSettingsError(context, problems);
  return binding;
}
