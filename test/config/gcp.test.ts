import { parseConfig } from '../../lib/config/load';
import { GCP_BASE } from '../terraform/fixtures';

function problemsOf(gcp: Record<string, unknown>): string[] {
  try {
    parseConfig({ environments: { prod: { gcp } } });
    return [];
  } catch (err) {
    return [...(err as { problems: string[] }).problems];
  }
}

describe('gcp section validation', () => {
  test('the base section is valid and fills defaults', () => {
    const gcp = parseConfig({ environments: { prod: { gcp: GCP_BASE } } }).environments.prod.gcp!;
    expect(gcp).toMatchObject({ connectionId: 'gcp_xcoms', softDeleteDays: 0, state: { type: 'local' } });
  });

  test.each([
    ['project id with upper case', { project: 'Acme-Data' }, 'gcp.project: "Acme-Data" is not valid: must be a GCP project id'],
    ['project id too short', { project: 'acme' }, 'gcp.project: "acme" is not valid: must be a GCP project id'],
    ['project id ending with "-"', { project: 'acme-data-' }, 'gcp.project: "acme-data-" is not valid'],
    ['unknown location', { location: 'europe' }, 'gcp.location: "europe" is not valid: must be a GCS location: a region such as europe-west1'],
    ['bucket name with dots and upper case', { bucketName: 'Acme.Xcoms' }, 'gcp.bucketName: "Acme.Xcoms" is not valid: is not a valid GCS bucket name: it may hold only lower-case letters'],
    ['bucket name containing google', { bucketName: 'my-google-xcoms' }, 'must not start with "goog" or contain "google"'],
    ['soft delete between 1 and 6 days', { softDeleteDays: 3 }, 'gcp.softDeleteDays: 3 is not valid: must be 0 (off) or 7 to 90 days'],
    ['malformed KMS key', { kmsKeyName: 'xcoms-key' }, 'gcp.kmsKeyName: "xcoms-key" is not valid: must be projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>'],
    ['workload identity without service accounts', { identity: { mode: 'workload-identity', kubernetes: [] } }, 'gcp.identity.kubernetes: [] is not valid: name at least one Kubernetes service account'],
    ['workload pool given as a bare project id', { identity: { ...GCP_BASE.identity, workloadPool: 'acme-gke' } }, 'gcp.identity.workloadPool: "acme-gke" is not valid: must be a GKE workload identity pool, <cluster project id>.svc.id.goog'],
    ['workload pool of another domain', { identity: { ...GCP_BASE.identity, workloadPool: 'acme-gke-shared.svc.id.goog.example.com' } }, 'gcp.identity.workloadPool: "acme-gke-shared.svc.id.goog.example.com" is not valid'],
    ['workload pool in key mode', { identity: { mode: 'key', workloadPool: 'acme-gke-shared.svc.id.goog' } }, 'gcp.identity: unknown field(s) "workloadPool"'],
    ['service account id with "_"', { identity: { mode: 'key', serviceAccountId: 'airflow_xcoms' } }, 'gcp.identity.serviceAccountId: "airflow_xcoms" is not valid: must be 6-30 lower-case letters'],
    ['secrets prefix with "/"', { identity: { mode: 'key', connectionsPrefix: 'airflow/connections' } }, 'gcp.identity.connectionsPrefix: "airflow/connections" is not valid: must be 1-200 letters, digits, "_" and "-"'],
    ['secret accessor without a member type', { identity: { mode: 'key', secretAccessors: ['airflow@acme.iam.gserviceaccount.com'] } }, 'gcp.identity.secretAccessors.0: "airflow@acme.iam.gserviceaccount.com" is not valid: must be an IAM member'],
    ['user-managed replicas on a multi-region bucket without locations', { location: 'EU', identity: { mode: 'key', secretReplication: { type: 'user-managed' } } }, 'gcp.identity.secretReplication.locations is required: the bucket location "EU" is not a single region'],
    ['absolute local state path', { state: { type: 'local', path: '/var/lib/terraform.tfstate' } }, 'gcp.state.path: "/var/lib/terraform.tfstate" is not valid: must be a relative path'],
    ['unknown field', { region: 'europe-west1' }, 'gcp: unknown field "region"; known fields here: project, location,'],
  ])('%s is refused with the field, the value and the rule', (_name, override, message) => {
    expect(problemsOf({ ...GCP_BASE, ...override })).toEqual([expect.stringContaining(message)]);
  });

  test('a workload pool of another project is accepted', () => {
    expect(problemsOf({ ...GCP_BASE, identity: { ...GCP_BASE.identity, workloadPool: 'acme-gke-shared.svc.id.goog' } })).toEqual([]);
  });

  test.each(['EU', 'us', 'eur4', 'europe-west1', 'northamerica-northeast2'])('location %s is accepted', (location) => {
    expect(problemsOf({ ...GCP_BASE, location })).toEqual([]);
  });
});
