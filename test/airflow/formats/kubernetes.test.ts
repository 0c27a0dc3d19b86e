/**
 * The Kubernetes manifests' names, namespace, labels and documents, and the checks of `--name` and
 * `--namespace` (every value reaches object names and DNS labels, so a bad one is refused up front).
 */
import { parseAllDocuments } from 'yaml';
import { AirflowSettingsError } from '../../../lib/airflow/errors';
import { k8sNames, podLabelLines, renderKubernetes, secretManifest } from '../../../lib/airflow/formats/kubernetes';
import { buildSettings } from '../../../lib/airflow/settings';
import { load } from '../bindings';

const LABELS = { 'app.kubernetes.io/name': 'airflow-xcomkit', 'app.kubernetes.io/part-of': 'airflow' };

function problems(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AirflowSettingsError);
    return (e as AirflowSettingsError).problems;
  }
  throw new Error('expected an AirflowSettingsError');
}

/** The aws-user fixture with its secret connection resolved, as `--resolve-secrets` gives it. */
function resolvedAwsUser() {
  const binding = load('aws-user');
  const secret = JSON.stringify({ conn_type: 'aws', login: 'AKIAEXAMPLE', password: 'secret-value', extra: { region_name: 'eu-west-1' } });
  return buildSettings(binding, { resolvedConnections: { [binding.connection.id]: secret } });
}

describe('k8sNames', () => {
  test('derives the ConfigMap and Secret names from --name, airflow-xcoms by default', () => {
    expect(k8sNames()).toEqual({ configMap: 'airflow-xcoms-config', secret: 'airflow-xcoms-secrets' });
    expect(k8sNames({ name: 'x1' })).toEqual({ configMap: 'x1-config', secret: 'x1-secrets' });
  });

  test('accepts a name of 55 characters (63 with "-secrets") and refuses 56', () => {
    expect(k8sNames({ name: 'a'.repeat(55) }).secret).toHaveLength(63);
    expect(problems(() => k8sNames({ name: 'a'.repeat(56) }))).toEqual([
      `--name "${'a'.repeat(56)}" must be lower-case letters, digits and "-", starting and ending with a letter or digit, at most 55 characters`,
    ]);
  });

  test.each(['Airflow', '-a', 'a-', 'a_b', 'a.b', '', 'a\nb'])('refuses --name %j', (name) => {
    expect(problems(() => k8sNames({ name }))).toEqual([expect.stringMatching(/^--name ".*" must be lower-case letters/)]);
  });

  test('accepts a namespace of 63 characters, refuses 64 and bad names, and reports both options at once', () => {
    expect(() => k8sNames({ namespace: 'n'.repeat(63) })).not.toThrow();
    expect(problems(() => k8sNames({ namespace: 'n'.repeat(64) }))).toEqual([
      `--namespace "${'n'.repeat(64)}" must be a Kubernetes namespace name (lower-case letters, digits and "-", at most 63 characters)`,
    ]);
    expect(problems(() => k8sNames({ namespace: 'Kube' }))).toHaveLength(1);
    expect(problems(() => k8sNames({ name: 'A', namespace: 'B' }))).toEqual([expect.stringMatching(/^--name "A"/), expect.stringMatching(/^--namespace "B"/)]);
    expect(() => k8sNames({ name: 'A' })).toThrow(/^Kubernetes names: --name "A" must be/);
  });
});

describe('renderKubernetes', () => {
  test('without --namespace the objects carry no namespace; with it, the ConfigMap and the Secret do', () => {
    const s = resolvedAwsUser();
    const plain = parseAllDocuments(renderKubernetes(s).main).map((d) => d.toJS());
    expect(plain.map((d) => d.kind)).toEqual(['ConfigMap', 'Secret']);
    for (const doc of plain) expect(doc.metadata).toEqual({ name: expect.any(String), labels: LABELS });
    const placed = parseAllDocuments(renderKubernetes(s, { namespace: 'airflow', name: 'xk' }).main).map((d) => d.toJS());
    expect(placed.map((d) => d.metadata)).toEqual([
      { name: 'xk-config', namespace: 'airflow', labels: LABELS },
      { name: 'xk-secrets', namespace: 'airflow', labels: LABELS },
    ]);
    expect(placed[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(placed[1]).toMatchObject({ apiVersion: 'v1', type: 'Opaque' });
  });

  test('the manifests open with the header and placeholder comments, and keep every value on one line', () => {
    const b = load('aws-role');
    const text = renderKubernetes(buildSettings(b)).main;
    expect(text.startsWith(`# Airflow XCom object storage: aws/${b.environment} (role identity), stock backend.\n`)).toBe(true);
    const long = { ...b, connection: { ...b.connection, extra: { ...b.connection.extra, endpoint_url: `http://${'e'.repeat(120)}.example` } } };
    const lines = renderKubernetes(buildSettings(long)).main.split('\n');
    expect(lines.filter((l) => l.includes('e'.repeat(120)))).toHaveLength(1);
    const placeholders = renderKubernetes(buildSettings({ ...b, storage: { ...b.storage, bucket: '<deploy-time:Bucket1>' }, xcom: { ...b.xcom, path: 's3://aws_xcoms@<deploy-time:Bucket1>/xcom' } })).main;
    expect(placeholders).toMatch(/^# deploy-time value in AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: <deploy-time:Bucket1>$/m);
  });

  test('the pod-spec hint names the Secret only when there is one, and mainHasSecrets says so', () => {
    const withSecret = renderKubernetes(resolvedAwsUser());
    expect(withSecret.main).toContain('# Use in a pod spec: envFrom: [{configMapRef: {name: airflow-xcoms-config}}, {secretRef: {name: airflow-xcoms-secrets}}]');
    expect(withSecret.mainHasSecrets).toBe(true);
    const without = renderKubernetes(buildSettings(load('aws-role')));
    expect(without.main).toContain('# Use in a pod spec: envFrom: [{configMapRef: {name: airflow-xcoms-config}}]\n');
    expect(without.mainHasSecrets).toBe(false);
    expect(without.main).not.toContain('kind: Secret');
  });

  test('a workload identity adds its ServiceAccount document, labelled and annotated, after the ConfigMap', () => {
    const docs = parseAllDocuments(renderKubernetes(buildSettings(load('gcp-workload-identity'))).main).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'ServiceAccount']);
    expect(docs[1]).toMatchObject({ apiVersion: 'v1', metadata: { name: 'airflow-worker', namespace: 'airflow', labels: LABELS } });
    expect(Object.keys(docs[1].metadata.annotations)).toEqual(['iam.gke.io/gcp-service-account']);
    expect(renderKubernetes(buildSettings(load('gcp-workload-identity'))).main).toContain(
      '---\n# The service account that runs Airflow tasks, linked to the cloud identity.\napiVersion: v1\nkind: ServiceAccount\n',
    );
  });
});

describe('secretManifest and podLabelLines', () => {
  test('no credentials, no Secret; with them, only the credential connections, and a warning to keep it out of git', () => {
    expect(secretManifest(buildSettings(load('aws-role')))).toBeUndefined();
    const text = secretManifest(resolvedAwsUser())!;
    expect(text.startsWith('# Airflow connections with credentials (resolved from the secret store). Keep this file out of git.\n')).toBe(true);
    const [doc] = parseAllDocuments(text).map((d) => d.toJS());
    expect(Object.keys(doc.stringData)).toEqual(['AIRFLOW_CONN_AWS_XCOMS']);
    expect(doc.stringData.AIRFLOW_CONN_AWS_XCOMS).toContain('secret-value');
  });

  test('the pod label line appears only for an identity that needs labels (AKS)', () => {
    expect(podLabelLines({ serviceAccounts: [], podLabels: {} })).toEqual([]);
    expect(podLabelLines({ serviceAccounts: [], podLabels: { 'azure.workload.identity/use': 'true', a: 'b' } })).toEqual([
      'Pods that run Airflow tasks must carry the label(s) azure.workload.identity/use: "true", a: "b" (workload identity webhook).',
    ]);
  });
});
