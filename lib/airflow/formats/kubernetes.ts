/**
 * Kubernetes manifests: a ConfigMap with every non-secret setting and, only when secrets were
 * resolved, a Secret holding the credential connections and nothing else. Pods load both with
 * `envFrom` (`configMapRef` and `secretRef`).
 */
import { stringify } from 'yaml';
import { headerLines, placeholderLines } from '../comments';
import { AirflowSettings, isSecretSetting } from '../settings';
import { DEFAULT_K8S_NAME, Format, RenderOptions, Rendered } from './types';

const LABELS = { 'app.kubernetes.io/name': 'airflow-xcomkit', 'app.kubernetes.io/part-of': 'airflow' };

export function k8sNames(options: RenderOptions = {}) {
  const name = options.name ?? DEFAULT_K8S_NAME;
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
  return '# Airflow connections with credentials (resolved from the secret store). Keep this file out of git.\n' + yamlText(doc);
}

export function renderKubernetes(s: AirflowSettings, options: RenderOptions = {}): Rendered {
  const names = k8sNames(options);
  const comments = [...headerLines(s), ...placeholderLines(s.settings)];
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
  const docs = [comments.map((l) => `# ${l}`).join('\n') + '\n' + yamlText(configMap)];
  if (secret) docs.push(secret);
  return { main: docs.join('---\n'), mainHasSecrets: secret !== undefined, notes: [] };
}

export const kubernetesFormat: Format = { name: 'k8s', summary: 'Kubernetes ConfigMap (settings) and Secret (credentials only)', render: renderKubernetes };
