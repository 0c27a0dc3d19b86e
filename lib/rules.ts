/**
 * The naming and value rules of Airflow and the three clouds, in one place: the environments file
 * (lib/config), the Airflow binding (lib/binding.ts) and the binding checks before rendering
 * (lib/airflow/validate.ts) all validate with these, so a value the config refuses is refused in a
 * hand-edited binding too, with the same words (the constructs check their props with them). Imports nothing from the project: every other
 * module may depend on it.
 *
 * Each `...Problems` function returns the broken rules as phrases that read after "it"
 * (`it must be 3 to 63 characters long`); an empty list means the value is fine.
 */

/**
 * Compression names that fsspec's registry knows (what the common.io backend passes to fsspec).
 * `lz4` and `zstd` need their Python libraries installed in the Airflow image.
 */
export const COMPRESSIONS = ['zip', 'bz2', 'gzip', 'lzma', 'xz', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** Names users reach for that fsspec does not register, with the name that works. */
export const COMPRESSION_SUGGESTIONS: Readonly<Record<string, Compression>> = {
  gz: 'gzip',
  snappy: 'zstd',
  bzip2: 'bz2',
  zlib: 'gzip',
};

/** Why `value` is not a compression Airflow can use, or undefined when it is (null = none). */
export function compressionProblem(value: unknown): string | undefined {
  if (value === null || (COMPRESSIONS as readonly unknown[]).includes(value)) return undefined;
  const suggestion = typeof value === 'string' ? COMPRESSION_SUGGESTIONS[value.toLowerCase()] : undefined;
  return (suggestion ? `fsspec has no codec named "${String(value)}"; use "${suggestion}". ` : '') + `Allowed: ${COMPRESSIONS.join(', ')}, or null for none`;
}

/** `[common.io] xcom_objectstorage_threshold`, as the config and the binding state it. */
export const THRESHOLD_RULE = 'must be a whole number of bytes, at least -1 (-1 keeps every XCom in the database, 0 sends every XCom to storage)';

/** Environment names become stack names, resource-name suffixes and CLI arguments. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * An environment name (see {@link ENVIRONMENT_NAME}) derived from a stack name or id, for constructs
 * used without an explicit environment: lower case, other characters as "-", a letter first, at most
 * 20 characters (`AirflowXcoms-Prod` becomes `airflowxcoms-prod`).
 */
export function environmentNameFrom(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 20).replace(/-+$/, '');
  return s === '' ? 'default' : s;
}
export const ENVIRONMENT_NAME_RULE = 'must be 1-20 lower-case letters, digits and "-", starting with a letter';

/**
 * An Airflow connection id the kit can emit safely: it becomes `AIRFLOW_CONN_<ID>` (a shell-safe
 * variable name) and the user-info part of `<scheme>://<conn_id>@<bucket>/<prefix>`.
 */
export const CONNECTION_ID = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
export const CONNECTION_ID_RULE =
  'must start with a letter and hold only letters, digits and underscores (it becomes AIRFLOW_CONN_<ID> and the user part of the XCom path)';

/** A Kubernetes namespace or service account name (RFC 1123 label). */
export const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `<deploy-time:WHAT>`: a value that exists only after deployment (see lib/airflow/placeholder.ts). */
export const DEPLOY_TIME_PLACEHOLDER = /<deploy-time:[A-Za-z0-9_.:\-[\]]+>/;

/**
 * Characters that end a line or a document, or steer a terminal, in some reader: C0 and C1 controls,
 * DEL and the Unicode line and paragraph separators. No name or value of the kit needs one, and any of
 * them in a binding string could break out of a comment or a quoted value of an output format.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `"\n"` as `\u000a`: how a control character is named in a message (never printed raw). */
export function describeControlCharacter(value: string): string | undefined {
  const m = CONTROL_CHARACTERS.exec(value);
  return m ? `\\u${m[0].charCodeAt(0).toString(16).padStart(4, '0')}` : undefined;
}

export function controlCharacterProblem(value: string): string | undefined {
  const found = describeControlCharacter(value);
  return found ? `must not hold control characters (found ${found} at position ${CONTROL_CHARACTERS.exec(value)!.index})` : undefined;
}

/** One prefix segment: no traversal, no empty parts, characters safe in every cloud's object names. */
const PREFIX_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const PREFIX_MAX = 200;

/** Key prefix rules of the config and the constructs' `prefix` (the empty prefix means a dedicated bucket). */
export function prefixProblems(value: string): string[] {
  if (value === '') return [];
  if (value.startsWith('/') || value.endsWith('/')) return ['must not start or end with "/" (write "xcom" or "airflow/xcom")'];
  if (value.length > PREFIX_MAX) return [`must be at most ${PREFIX_MAX} characters`];
  for (const segment of value.split('/')) {
    if (!PREFIX_SEGMENT.test(segment) || segment === '..' || segment === '.') {
      return [
        `has segment ${showValue(segment)}, which is not allowed: each "/"-separated part must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (no empty part, no "." or "..")`,
      ];
    }
  }
  return [];
}

/**
 * S3 bucket naming rules (general purpose buckets): 3-63 characters, lower-case letters, digits,
 * dots and hyphens, starting and ending with a letter or digit, not an IP address, no "..",
 * none of the reserved prefixes and suffixes.
 */
export function s3BucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('must be 3 to 63 characters long');
  if (!/^[a-z0-9.-]+$/.test(name)) problems.push('may hold only lower-case letters, digits, "." and "-"');
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) problems.push('must start and end with a letter or digit');
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) problems.push('must not contain "..", ".-" or "-."');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push('must not look like an IP address');
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) problems.push('must not start with "xn--", "sthree-" or "amzn-s3-demo-"');
  if (/(-s3alias|--ol-s3|--x-s3|--table-s3|\.mrap)$/.test(name)) problems.push('must not end with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3, .mrap)');
  return problems;
}

/** GCS bucket naming rules (names without dots): 3-63 characters, lower-case letters, digits, "-" and "_". */
export function gcsBucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('must be 3 to 63 characters long');
  if (!/^[a-z0-9_-]+$/.test(name)) problems.push('may hold only lower-case letters, digits, "-" and "_"');
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) problems.push('must start and end with a letter or digit');
  if (/^goog/.test(name) || /g(o|0)(o|0)gle/.test(name)) problems.push('must not start with "goog" or contain "google"');
  return problems;
}

/** Azure blob container names: 3-63 lower-case letters, digits and single "-", starting and ending with a letter or digit. */
export const AZURE_CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
export const AZURE_CONTAINER_NAME_RULE = 'must be 3-63 lower-case letters, digits and single "-", starting and ending with a letter or digit';
/** Azure storage account names: 3-24 lower-case letters and digits. */
export const AZURE_STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
export const AZURE_STORAGE_ACCOUNT_RULE =
  'must be 3-24 lower-case letters and digits, and globally unique across Azure (it becomes <name>.blob.core.windows.net)';

/** GCP project ids: 6-30 lower-case letters, digits and "-", starting with a letter, not ending with "-". */
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const GCP_PROJECT_ID_RULE = 'must be a GCP project id: 6-30 lower-case letters, digits and "-", starting with a letter';
/** A service account id (the part before `@`): 6-30 lower-case letters, digits and "-", starting with a letter. */
export const SERVICE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const SERVICE_ACCOUNT_ID_RULE = 'must be 6-30 lower-case letters, digits and "-", starting with a letter';
/** A service-account e-mail: user-managed (`<id>@<project>.iam.gserviceaccount.com`) or Google-managed (Compute default, Composer agents). */
export const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/;
/** IAM principals (Secret Manager accessors): `serviceAccount:x@p.iam.gserviceaccount.com`, `group:...`, `principal://...`. */
export const IAM_MEMBER = /^(user|serviceAccount|group|domain):[^\s]+$|^principal(Set)?:\/\/[^\s]+$/;
export const IAM_MEMBER_RULE = 'must be an IAM member such as serviceAccount:airflow@my-project.iam.gserviceaccount.com';
/** A GKE workload identity pool: `<cluster project id>.svc.id.goog`. */
export const WORKLOAD_POOL = /^([a-z][a-z0-9-]{4,28}[a-z0-9])\.svc\.id\.goog$/;
export const WORKLOAD_POOL_RULE =
  'must be a GKE workload identity pool, <cluster project id>.svc.id.goog (gcloud container clusters describe <cluster> --format="value(workloadIdentityConfig.workloadPool)")';

/** The workload identity pool of GKE clusters in `project` (what `gcloud container clusters create --workload-pool` takes). */
export function defaultWorkloadPool(project: string): string {
  return `${project}.svc.id.goog`;
}

/** The Secret Manager connections prefix of an environment when none is set: environments sharing a project do not claim one secret id. */
export function defaultGcpConnectionsPrefix(environment: string): string {
  return `airflow-${environment}-connections`;
}

/** Secret Manager secret ids are at most 255 characters. */
export const GCP_SECRET_ID_MAX = 255;
/** Key Vault secret names are at most 127 characters. */
export const KEY_VAULT_SECRET_NAME_MAX = 127;

/** Entra object ids (principal ids), subscription and tenant ids: UUIDs. */
export const ENTRA_OBJECT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const ENTRA_OBJECT_ID_RULE = 'must be an Entra object id, a UUID (az identity show --query principalId)';
/** Key Vault names: 3-24 letters, digits and "-", starting with a letter, ending with a letter or digit, no "--". */
export const KEY_VAULT_NAME = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/;
export const KEY_VAULT_NAME_RULE =
  'must be 3-24 letters, digits and single "-", starting with a letter and ending with a letter or digit, and globally unique (<name>.vault.azure.net)';
/** User-assigned managed identity names (before the environment suffix). */
export const MANAGED_IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,100}$/;
export const MANAGED_IDENTITY_NAME_RULE = 'must be 3-101 letters, digits, "-" and "_", starting with a letter or digit';
/** A managed identity accepts at most this many federated identity credentials. */
export const FEDERATED_CREDENTIALS_MAX = 20;

/** The bucket (S3, GCS) or container (Azure) rules of a cloud, as phrases after "it". */
export function bucketNameProblems(cloud: 'aws' | 'gcp' | 'azure', name: string): string[] {
  if (cloud === 'aws') return s3BucketNameProblems(name);
  if (cloud === 'gcp') return gcsBucketNameProblems(name);
  return AZURE_CONTAINER_NAME.test(name) ? [] : [AZURE_CONTAINER_NAME_RULE];
}

export const BUCKET_WORD = { aws: 'S3 bucket name', gcp: 'GCS bucket name', azure: 'Azure container name' } as const;

/** AWS regions: `eu-west-1`, `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** A single GCP region: `europe-west1`, `us-central1`, `northamerica-northeast2`. */
export const GCP_REGION = /^[a-z]+(-[a-z]+)+\d+$/;
/** GCS multi-regions and predefined dual-regions (case-insensitive, as GCS treats them). */
export const GCS_MULTI_OR_DUAL_REGIONS = ['ASIA', 'EU', 'US', 'ASIA1', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'NAM4'] as const;
/** Azure region names: `westeurope` (lower case, no spaces). */
export const AZURE_REGION = /^[a-z][a-z0-9]+$/;

/** True for a single GCS region (as opposed to a multi- or dual-region). */
export function isGcpRegion(location: string): boolean {
  return GCP_REGION.test(location);
}

export function isGcsLocation(location: string): boolean {
  return GCP_REGION.test(location) || (GCS_MULTI_OR_DUAL_REGIONS as readonly string[]).includes(location.toUpperCase());
}

/** The region rule of a cloud, as a phrase after "it", or undefined when `region` is fine. */
export function regionProblem(cloud: 'aws' | 'gcp' | 'azure', region: string): string | undefined {
  if (cloud === 'aws') return AWS_REGION.test(region) ? undefined : 'must be an AWS region such as eu-west-1';
  if (cloud === 'gcp') {
    return isGcsLocation(region)
      ? undefined
      : `must be a GCS location: a region such as europe-west1, a multi-region (ASIA, EU, US) or a dual-region (${GCS_MULTI_OR_DUAL_REGIONS.slice(3).join(', ')})`;
  }
  return AZURE_REGION.test(region) ? undefined : 'must be an Azure region name such as westeurope (lower case, no spaces)';
}

/** Secret-store prefixes Airflow's secrets backends read connections from (`connections_prefix`). */
export const CONNECTIONS_PREFIX = {
  'aws-secrets-manager': { pattern: /^[A-Za-z0-9/_+=.@-]+$/, rule: 'must hold only letters, digits and /_+=.@-' },
  'gcp-secret-manager': { pattern: /^[A-Za-z0-9_-]{1,200}$/, rule: 'must be 1-200 letters, digits, "_" and "-" (Secret Manager secret ids)' },
  'azure-key-vault': {
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/,
    rule: 'must be 1-100 letters, digits and "-", starting with a letter or digit (Key Vault secret names)',
  },
} as const;

/**
 * Connection extras that hold a credential (`password`, `account_key`, `keyfile_dict`, `sas_token`,
 * `connection_string`, ...), as opposed to names and paths of one (`key_path`, `key_secret_name`).
 * A binding's extras are meant to be non-secret; one of these in it is handled like a resolved secret.
 */
export function isSecretShapedKey(key: string): boolean {
  const k = key.toLowerCase();
  if (/(_name|_path|_project_id|_id|_url|_host)$/.test(k)) return false;
  return /(password|passwd|secret|token|credential|private_key|account_key|access_key|api_key|keyfile_dict|keyfile_json|connection_string|sas)/.test(k) || k === 'key';
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The known name closest to `name` (case-insensitively), when it is close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * A value as messages quote it: JSON, with the control characters JSON leaves raw (DEL, C1, line
 * separators) escaped too, so a hostile value cannot steer the terminal that prints the error.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const json = JSON.stringify(value) ?? String(value);
  const text = json.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The sentence for a record key that breaks its rule (zod's `invalid_key` issue; its path ends at the
 * key, whether or not the input is reported): `<parent>: the key "<key>" is not valid: <rules>`.
 */
export function invalidKeyProblem(path: readonly PropertyKey[], messages: readonly string[], top: string): string {
  const parent = path.slice(0, -1).map(String).join('.');
  return `${parent || top}: the key ${showValue(path[path.length - 1])} is not valid: ${messages.join('; ')}`;
}
