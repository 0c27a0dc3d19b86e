/**
 * The cloud-neutral model of what Airflow needs: config options and connections, computed from one
 * primary binding (plus optional mirrors). Every output format renders this model; none of them
 * decides anything on its own.
 */
import { AirflowBinding, connectionSecretName, SecretRef } from '../binding';
import { AirflowSettingsError } from './errors';
import { airflowEnvVar, connectionEnvVar } from './names';
import { findPlaceholders, hasPlaceholder } from './placeholder';
import { isSecretShapedKey, showValue } from '../rules';
import { SECRET_MODES } from './validate';

export const BACKENDS = ['stock', 'xcomkit'] as const;
export type Backend = (typeof BACKENDS)[number];

/** `[core] xcom_backend` per backend choice. */
export const BACKEND_CLASSES: Readonly<Record<Backend, string>> = {
  stock: 'airflow.providers.common.io.xcom.backend.XComObjectStorageBackend',
  xcomkit: 'airflow_xcomkit.backend.XComKitBackend',
};

/** `[secrets] backend` per secret store, with the provider's own defaults we must respect. */
export const SECRETS_BACKENDS: Readonly<Record<SecretRef['store'], { className: string; defaultSep: string }>> = {
  'aws-secrets-manager': { className: 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend', defaultSep: '/' },
  'gcp-secret-manager': { className: 'airflow.providers.google.cloud.secrets.secret_manager.CloudSecretManagerBackend', defaultSep: '-' },
  'azure-key-vault': { className: 'airflow.providers.microsoft.azure.secrets.key_vault.AzureKeyVaultBackend', defaultSep: '-' },
};

export interface ConfigOption {
  readonly kind: 'config';
  readonly section: string;
  readonly key: string;
  /** Environment variable name, from {@link airflowEnvVar}. */
  readonly name: string;
  readonly value: string;
  readonly placeholders: readonly string[];
  /** The binding fields the value comes from, for messages (`xcom.path`). */
  readonly origin: string;
}

export interface ConnectionSetting {
  readonly kind: 'connection';
  readonly connId: string;
  /** `AIRFLOW_CONN_<ID>`, from {@link connectionEnvVar}. */
  readonly name: string;
  /** Connection JSON. */
  readonly value: string;
  /** Holds a credential (resolved from a secret store): goes only where secrets go. */
  readonly secret: boolean;
  /** Needs no credential of its own: the ambient identity (execution role, IRSA, workload identity) is used. */
  readonly ambient: boolean;
  readonly cloud: AirflowBinding['cloud'];
  readonly placeholders: readonly string[];
  /** Where the value comes from, for messages (`connection.extra of aws/dev`, `secret "..."`). */
  readonly origin: string;
}

/**
 * A process environment variable read by a filesystem library rather than by Airflow (gcsfs reads
 * `GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT` when it is imported). Never a secret.
 */
export interface EnvironmentSetting {
  readonly kind: 'env';
  readonly name: string;
  readonly value: string;
  /** Why the variable is set (shown by formats that have comments). */
  readonly reason: string;
  readonly placeholders: readonly string[];
  /** Where the value comes from, named in errors. */
  readonly origin: string;
}

export type Setting = ConfigOption | ConnectionSetting | EnvironmentSetting;

/**
 * gcsfs 2026.x replaces `GCSFileSystem` by `ExtendedGcsFileSystem` at import unless this variable is
 * false. That class asks the Storage Control API for the bucket's layout (`GetStorageLayout`) before
 * every operation; without a prefix the call needs `storage.objects.list` on the whole bucket, which
 * the prefix-scoped grant denies, and a denied answer is not cached, so every exists, mkdir, open,
 * read and delete repeats it. The kit's buckets are flat (no hierarchical namespace, not zonal), so
 * the extended class has nothing to add for them: the kit turns it off (docs/gcp-azure.md).
 */
export const GCSFS_LAYOUT_PROBE_SETTING: EnvironmentSetting = {
  kind: 'env',
  name: 'GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT',
  value: 'false',
  reason: 'gcsfs: use the JSON-API filesystem; its layout probe needs a whole-bucket listing the prefix-scoped grant denies',
  placeholders: [],
  origin: 'the kit (gcsfs layout probe, docs/gcp-azure.md)',
};

/** Blob endpoint suffix Airflow and adlfs assume when a connection names no host (Azure public cloud). */
export const AZURE_PUBLIC_BLOB_SUFFIX = 'blob.core.windows.net';

/** A connection holding a credential: it goes only where secrets go (a Kubernetes Secret, a 0600 file). */
export const isSecretSetting = (x: Setting): x is ConnectionSetting => x.kind === 'connection' && x.secret;

export interface AirflowSettings {
  readonly backend: Backend;
  /** The primary binding first, then mirrors. */
  readonly bindings: readonly AirflowBinding[];
  readonly settings: readonly Setting[];
  /** Facts the reader must know (where a connection is read from, what a mirror ignores). */
  readonly notes: readonly string[];
  /** Every deploy-time placeholder in any value. */
  readonly placeholders: readonly string[];
}

export interface SettingsOptions {
  /** @default 'stock' */
  readonly backend?: Backend;
  /** Additional locations the runtime backend copies every object to (runtime backend only). */
  readonly mirrors?: readonly AirflowBinding[];
  /** Connection JSON resolved from the secret store, by connection id (modes `user` and `key`). */
  readonly resolvedConnections?: Readonly<Record<string, string>>;
}

const label = (b: AirflowBinding) => `${b.cloud}/${b.environment}`;

function option(section: string, key: string, value: string, origin: string): ConfigOption {
  return { kind: 'config', section, key, name: airflowEnvVar(section, key), value, placeholders: findPlaceholders(value), origin };
}

/**
 * The blob endpoint host of an Azure binding: `account_host` from the stack (sovereign clouds, custom
 * endpoints), else `<account>.blob.core.windows.net` for bindings from before the field existed.
 */
export function azureAccountHost(b: AirflowBinding): string | undefined {
  if (b.cloud !== 'azure') return undefined;
  const account = b.connection.extra.account_name ?? b.storage.account;
  return b.connection.extra.account_host ?? (account ? `${account}.${AZURE_PUBLIC_BLOB_SUFFIX}` : undefined);
}

/** The connection JSON of an identity that needs no stored credential. */
export function ambientConnection(b: AirflowBinding): string {
  const extra: Record<string, string> = { ...b.connection.extra };
  if (b.cloud === 'aws') {
    extra.region_name ??= b.storage.region;
    if (b.identity.mode === 'role' && b.identity.roleArn) extra.role_arn ??= b.identity.roleArn;
  }
  const accountHost = azureAccountHost(b);
  if (accountHost) {
    // adlfs builds its service URL from `account_host`; Airflow's abfs loader computes `account_url`
    // from the host (or `https://<login>.blob.core.windows.net/`), which would be `https://None...`
    // without one. Both are set so they name the same endpoint.
    extra.account_host = accountHost;
    return JSON.stringify({ conn_type: b.connection.type, host: `https://${accountHost}`, extra: sortKeys(extra) });
  }
  return JSON.stringify({ conn_type: b.connection.type, extra: sortKeys(extra) });
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}

export interface SecretsBackendSpec {
  readonly className: string;
  readonly kwargs: Readonly<Record<string, string | null>>;
}

/**
 * `[secrets] backend` and `backend_kwargs` that make Airflow read the binding's stored connection.
 * The secret name must be exactly where the provider's backend looks: checked here.
 */
export function secretsBackendFor(b: AirflowBinding): SecretsBackendSpec {
  const ref = b.identity.secret;
  if (!ref) throw new AirflowSettingsError(label(b), ['identity.secret is missing']);
  const { className, defaultSep } = SECRETS_BACKENDS[ref.store];
  const connId = b.connection.id;
  // Connections only: variables and config lookups would hit the store (and its permissions) on every read.
  const base = { connections_prefix: ref.connectionsPrefix, variables_prefix: null, config_prefix: null };
  let kwargs: Record<string, string | null>;
  let expected: string;
  switch (ref.store) {
    case 'aws-secrets-manager': {
      // SecretsManagerBackend; region from the secret ARN.
      expected = connectionSecretName(ref.store, ref.connectionsPrefix, connId);
      const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(ref.id)?.[1] ?? b.storage.region;
      kwargs = { ...base, region_name: region };
      break;
    }
    case 'gcp-secret-manager': {
      // CloudSecretManagerBackend, sep "-" unless the stored name shows another; the project from the secret id.
      const project = /^projects\/([^/]+)\/secrets\//.exec(ref.id)?.[1];
      if (!project) throw new AirflowSettingsError(label(b), [`identity.secret.id ${showValue(ref.id)} is not of the form projects/<project>/secrets/<name>`]);
      let sep = defaultSep;
      if (ref.name.startsWith(ref.connectionsPrefix) && ref.name.endsWith(connId)) {
        const middle = ref.name.slice(ref.connectionsPrefix.length, ref.name.length - connId.length);
        if (/^[A-Za-z0-9_-]+$/.test(middle)) sep = middle;
      }
      expected = connectionSecretName(ref.store, ref.connectionsPrefix, connId, sep);
      kwargs = { ...base, project_id: project, sep };
      break;
    }
    case 'azure-key-vault': {
      expected = connectionSecretName(ref.store, ref.connectionsPrefix, connId);
      kwargs = { ...base, vault_url: ref.id };
      break;
    }
  }
  if (!hasPlaceholder(ref.name) && ref.name !== expected) {
    throw new AirflowSettingsError(label(b), [
      `identity.secret.name ${showValue(ref.name)} is not where ${className.split('.').pop()} looks for connection "${connId}" with connections_prefix ${showValue(ref.connectionsPrefix)} (it reads ${showValue(expected)}); fix the stack's secret name or prefix`,
    ]);
  }
  return { className, kwargs };
}

function describeSecret(ref: SecretRef): string {
  const store = { 'aws-secrets-manager': 'AWS Secrets Manager', 'gcp-secret-manager': 'GCP Secret Manager', 'azure-key-vault': 'Azure Key Vault' }[ref.store];
  return `${store} secret "${ref.name}"${ref.store === 'azure-key-vault' ? ` in ${ref.id}` : ''}`;
}

/** Computes every Airflow setting for `primary` (and mirrors). Bindings must be validated first. */
export function buildSettings(primary: AirflowBinding, options: SettingsOptions = {}): AirflowSettings {
  const backend = options.backend ?? 'stock';
  const mirrors = options.mirrors ?? [];
  const resolved = options.resolvedConnections ?? {};
  const problems: string[] = [];
  const notes: string[] = [];

  if (mirrors.length > 0 && backend !== 'xcomkit') {
    throw new AirflowSettingsError('mirrors need the runtime backend', [
      `the stock backend (${BACKEND_CLASSES.stock}) writes to one location only; add --backend xcomkit to use mirrors`,
    ]);
  }
  const bindings = [primary, ...mirrors];
  const paths = bindings.map((b) => b.xcom.path);
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup) problems.push(`location ${dup} is given twice (primary and mirror must differ)`);

  const settings: Setting[] = [
    option('core', 'xcom_backend', BACKEND_CLASSES[backend], '--backend'),
    option('common.io', 'xcom_objectstorage_path', primary.xcom.path, `xcom.path of ${label(primary)}`),
    option('common.io', 'xcom_objectstorage_threshold', String(primary.xcom.threshold), `xcom.threshold of ${label(primary)}`),
  ];
  // The provider reads `conf.get(..., fallback=None) or None` with default "": omitting the option is "no compression".
  if (primary.xcom.compression !== null) settings.push(option('common.io', 'xcom_objectstorage_compression', primary.xcom.compression, `xcom.compression of ${label(primary)}`));
  if (mirrors.length > 0) {
    settings.push(option('xcomkit', 'mirrors', JSON.stringify(mirrors.map((m) => m.xcom.path)), `xcom.path of ${mirrors.map(label).join(', ')}`));
    for (const m of mirrors) {
      if (m.xcom.threshold !== primary.xcom.threshold || m.xcom.compression !== primary.xcom.compression) {
        notes.push(`mirror ${label(m)} uses the primary's threshold and compression (its own ${m.xcom.threshold}/${m.xcom.compression ?? 'none'} are ignored)`);
      }
    }
  }

  // Connections, one per id; two bindings may share an id only with the same connection.
  const connections = new Map<string, { descriptor: string; from: AirflowBinding; setting?: ConnectionSetting; backend?: SecretsBackendSpec }>();
  for (const b of bindings) {
    const id = b.connection.id;
    let descriptor: string;
    let setting: ConnectionSetting | undefined;
    let spec: SecretsBackendSpec | undefined;
    const secretMode = SECRET_MODES.includes(b.identity.mode);
    if (!secretMode) {
      const value = ambientConnection(b);
      descriptor = `conn:${value}`;
      // An extra shaped like a credential (password, account_key, ...) makes the connection a secret.
      const secret = Object.keys(b.connection.extra).some(isSecretShapedKey);
      setting = { kind: 'connection', connId: id, name: connectionEnvVar(id), value, secret, ambient: true, cloud: b.cloud, placeholders: findPlaceholders(value), origin: `connection.extra and identity of ${label(b)}` };
    } else if (resolved[id] !== undefined) {
      descriptor = `secret:${JSON.stringify(b.identity.secret)}`;
      setting = { kind: 'connection', connId: id, name: connectionEnvVar(id), value: resolved[id], secret: true, ambient: false, cloud: b.cloud, placeholders: [], origin: `the secret "${b.identity.secret?.name ?? '?'}" read by --resolve-secrets` };
    } else {
      descriptor = `secret:${JSON.stringify(b.identity.secret)}`;
      spec = secretsBackendFor(b);
      notes.push(`connection "${id}" (${label(b)}) is read by Airflow's secrets backend from ${describeSecret(b.identity.secret!)}`);
    }
    const seen = connections.get(id);
    if (seen) {
      if (seen.descriptor !== descriptor) {
        problems.push(`connection id "${id}" is used by ${label(seen.from)} and ${label(b)} with different connections; give one stack another connection id`);
      }
      continue;
    }
    connections.set(id, { descriptor, from: b, setting, backend: spec });
  }

  const specs = [...connections.values()].filter((c) => c.backend);
  if (specs.length > 0) {
    const distinct = [...new Set(specs.map((c) => JSON.stringify(c.backend)))];
    if (distinct.length > 1) {
      problems.push(
        `Airflow has one secrets backend, but ${specs.map((c) => `${label(c.from)} (${c.from.identity.secret!.store})`).join(' and ')} need different ones; ` +
          'resolve the secrets instead (--resolve-secrets) so the connections go into the environment',
      );
    } else {
      const spec = specs[0].backend!;
      const origin = `identity.secret of ${specs.map((c) => label(c.from)).join(', ')}`;
      settings.push(option('secrets', 'backend', spec.className, origin), option('secrets', 'backend_kwargs', JSON.stringify(spec.kwargs), origin));
    }
  }
  for (const c of connections.values()) if (c.setting) settings.push(c.setting);
  if (bindings.some((b) => b.cloud === 'gcp')) settings.push(GCSFS_LAYOUT_PROBE_SETTING);

  if (problems.length > 0) throw new AirflowSettingsError('cannot combine these bindings', problems);
  const placeholders = [...new Set(settings.flatMap((s) => s.placeholders))];
  return { backend, bindings, settings, notes, placeholders };
}
