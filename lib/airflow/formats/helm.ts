/**
 * Values for the official Apache Airflow Helm chart: `env` (name/value) for non-secret settings and
 * `secret` (envName/secretName/secretKey) referencing a Kubernetes Secret for credentials. The values
 * never hold a secret; the Secret manifest is rendered separately.
 */
import { headerLines, placeholderLines } from '../comments';
import { AirflowSettings, isSecretSetting } from '../settings';
import { k8sNames, secretManifest, yamlText } from './kubernetes';
import { Format, RenderOptions, Rendered } from './types';

export function renderHelm(s: AirflowSettings, options: RenderOptions = {}): Rendered {
  const names = k8sNames(options);
  const plain = s.settings.filter((x) => !isSecretSetting(x));
  const secrets = s.settings.filter(isSecretSetting);
  const values: Record<string, unknown> = { env: plain.map((x) => ({ name: x.name, value: x.value })) };
  if (secrets.length > 0) values.secret = secrets.map((x) => ({ envName: x.name, secretName: names.secret, secretKey: x.name }));
  const comments = [...headerLines(s), ...placeholderLines(plain)];
  if (secrets.length > 0) comments.push(`The entries under "secret" read the Kubernetes Secret ${names.secret}: apply its manifest first.`);
  comments.push('Install: helm upgrade --install airflow apache-airflow/airflow -f <this file>');
  const manifest = secretManifest(s, options);
  const notes = manifest ? [`the Helm values reference Secret ${names.secret}; apply its manifest (kubectl apply -f <secret file>) before helm upgrade`] : [];
  return { main: comments.map((l) => `# ${l}`).join('\n') + '\n' + yamlText(values), secretManifest: manifest, mainHasSecrets: false, notes };
}

export const helmFormat: Format = { name: 'helm', summary: 'values for the official Airflow Helm chart (env + secret references)', render: renderHelm };
