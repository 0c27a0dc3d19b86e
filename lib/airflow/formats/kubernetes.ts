/**
 * Kubernetes manifests: a ConfigMap with every non-secret setting, a ServiceAccount per Kubernetes
 * service account the binding's workload identity trusts (with the annotation that links it to the
 * cloud identity), and, only when secrets were resolved, a Secret holding the credential connections
 * and nothing else. Pods load the settings with `envFrom` (`configMapRef` and `secretRef`).
 *
 * Every binding string reaches YAML through the `yaml` package (quoted as needed) or through
 * {@link commentBlock}: none can start a key, a comment line or a document of its own.
 */
import { stringify } from 'yaml';
import { commentBlock, headerLines, placeholderLines } from '../comments';
import { AirflowSettingsError } from '../errors';
import { identityPlaceholderNotes, kubernetesIdentity, KubernetesIdentity } from '../kubernetes-identity';
import { AirflowSettings, isSecretSetting } from '../settings';
import { DEFAULT_K8S_NAME, Format, RenderOptions, Rendered } from './types';

const LABELS = { 'app.kubernetes.io/name': 'airflow-xcomkit', 'app.kubernetes.io/part-of': 'airflow' };
/** RFC 1123 subdomain (object names) and label (namespaces). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function k8sNames(options: RenderOptions = {}) {
  const name = options.name ?? DEFAULT_K8S_NAME;
  const problems: string[] = [];
  // `-secrets` is the longest suffix; Kubernetes names hold at most 63 characters in labels and DNS.
  if (!OBJECT_NAME.test(name) || name.length > 63 - '-secrets'.length) {
    problems.push(`--name ${JSON.stringify(name)} must be lower-case letters, digits and "-", starting and ending with a letter or digit, at most 55 characters`);
  }
  if (options.namespace !== undefined && (!OBJECT_NAME.test(options.namespace) || options.namespace.length > 63)) {
    problems.push(`--namespace ${JSON.stringify(options.namespace)} must be a Kubernetes namespace name (lower-case letters, digits and "-", at most 63 characters)`);
  }
  if (problems.length > 0) throw new AirflowSettingsError('Kubernetes names', problems);
  return { configMap: `${name}-config`, secret: `${name}-secrets` };
}

function metadata(name: string, options: RenderOptions) {
  return { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels: LABELS };
}

export const yamlText = (doc: unknown) => stringify(doc, { lineWidth: 0 });

/** The Secret with the resolved connections, or undefined when there is none. */
export function secretManifest(s: AirflowSettings, options: RenderOptions = {}): string | undefined {
  const secrets = s.settings.filter(isSecretSetting);
  if (secrets.length === 0) return undefined;
  const doc = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(k8sNames(options).secret, options),
    type: 'Opaque',
    stringData: Object.fromEntries(secrets.map((x) => [x.name, x.value])),
  };
  return commentBlock(['Airflow connections with credentials (resolved from the secret store). Keep this file out of git.']) + yamlText(doc);
}

/** The comment lines that say which pod label the workload identity needs (AKS). */
export function podLabelLines(identity: KubernetesIdentity): string[] {
  const labels = Object.entries(identity.podLabels);
  if (labels.length === 0) return [];
  return [`Pods that run Airflow tasks must carry the label(s) ${labels.map(([k, v]) => `${k}: "${v}"`).join(', ')} (workload identity webhook).`];
}

export function renderKubernetes(s: AirflowSettings, options: RenderOptions = {}): Rendered {
  const names = k8sNames(options);
  const identity = kubernetesIdentity(s.bindings);
  const comments = [...headerLines(s), ...placeholderLines(s.settings), ...podLabelLines(identity)];
  const secret = secretManifest(s, options);
  comments.push(
    `Use in a pod spec: envFrom: [{configMapRef: {name: ${names.configMap}}}${secret ? `, {secretRef: {name: ${names.secret}}}` : ''}]`,
  );
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(names.configMap, options),
    data: Object.fromEntries(s.settings.filter((x) => !isSecretSetting(x)).map((x) => [x.name, x.value])),
  };
  const docs = [commentBlock(comments) + yamlText(configMap)];
  for (const sa of identity.serviceAccounts) {
    const doc = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa.name, namespace: sa.namespace, labels: LABELS, annotations: sa.annotations } };
    docs.push(commentBlock(['The service account that runs Airflow tasks, linked to the cloud identity.']) + yamlText(doc));
  }
  if (secret) docs.push(secret);
  return { main: docs.join('---\n'), mainHasSecrets: secret !== undefined, notes: identityPlaceholderNotes(identity) };
}

export const kubernetesFormat: Format = {
  name: 'k8s',
  summary: 'Kubernetes ConfigMap (settings), ServiceAccount (workload identity) and Secret (credentials only)',
  render: renderKubernetes,
};
