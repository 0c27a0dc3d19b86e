/**
 * Values for the official Apache Airflow Helm chart: `env` (name/value) for non-secret settings,
 * `secret` (envName/secretName/secretKey) referencing a Kubernetes Secret for credentials, and for a
 * workload identity the worker service account's name and annotation (`workers.serviceAccount`) and
 * pod labels (`workers.labels`). The values never hold a secret; the Secret manifest is rendered
 * separately.
 */
import { commentBlock, headerLines, placeholderLines } from '../comments';
import { identityPlaceholderNotes, kubernetesIdentity } from '../kubernetes-identity';
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
  const identity = kubernetesIdentity(s.bindings);
  const notes: string[] = identityPlaceholderNotes(identity);
  // The chart runs every task pod under one worker service account: the binding's first one.
  const [worker, ...others] = identity.serviceAccounts;
  if (worker) {
    const workers: Record<string, unknown> = { serviceAccount: { create: true, name: worker.name, annotations: worker.annotations } };
    if (Object.keys(identity.podLabels).length > 0) workers.labels = identity.podLabels;
    values.workers = workers;
    comments.push(`workers.serviceAccount links the task pods to the cloud identity; install the release in namespace ${worker.namespace}.`);
    for (const o of others) notes.push(`the binding also trusts service account ${o.namespace}/${o.name}; the Helm values configure only ${worker.namespace}/${worker.name}`);
  }
  if (secrets.length > 0) comments.push(`The entries under "secret" read the Kubernetes Secret ${names.secret}: apply its manifest first.`);
  comments.push('Install: helm upgrade --install airflow apache-airflow/airflow -f <this file>');
  const manifest = secretManifest(s, options);
  if (manifest) notes.push(`the Helm values reference Secret ${names.secret}; apply its manifest (kubectl apply -f <secret file>) before helm upgrade`);
  return { main: commentBlock(comments) + yamlText(values), secretManifest: manifest, mainHasSecrets: false, notes };
}

export const helmFormat: Format = { name: 'helm', summary: 'values for the official Airflow Helm chart (env, secret references, worker service account)', render: renderHelm };
