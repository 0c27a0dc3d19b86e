import { identityPlaceholderNotes, kubernetesIdentity } from '../../lib/airflow/kubernetes-identity';
import { load } from './bindings';

describe('kubernetesIdentity', () => {
  test.each([
    ['aws-role', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/airflow-xcoms-prod' }, {}],
    ['gcp-workload-identity', { 'iam.gke.io/gcp-service-account': 'airflow-xcoms-prod@my-airflow-project.iam.gserviceaccount.com' }, {}],
    [
      'azure-workload-identity',
      { 'azure.workload.identity/client-id': '11111111-2222-3333-4444-555555555555', 'azure.workload.identity/tenant-id': '00000000-0000-0000-0000-000000000000' },
      { 'azure.workload.identity/use': 'true' },
    ],
  ])('%s: the service account annotation and pod labels', (mode, annotations, podLabels) => {
    expect(kubernetesIdentity([load(mode)])).toEqual({ serviceAccounts: [{ namespace: 'airflow', name: 'airflow-worker', annotations }], podLabels });
  });

  test.each(['aws-user', 'gcp-key', 'azure-key'])('%s: a stored credential needs no service account', (mode) => {
    expect(kubernetesIdentity([load(mode)])).toEqual({ serviceAccounts: [], podLabels: {} });
  });

  test('a placeholder in an annotation is reported as not deployable yet', () => {
    const b = load('gcp-workload-identity');
    b.identity.principal = '<deploy-time:google_service_account.sa.email>';
    expect(identityPlaceholderNotes(kubernetesIdentity([b]))).toEqual([
      'not deployable yet: the service-account annotation holds <deploy-time:google_service_account.sa.email>; deploy the stack, then run xcomkit on its outputs',
    ]);
    expect(identityPlaceholderNotes(kubernetesIdentity([load('gcp-workload-identity')]))).toEqual([]);
  });
});
