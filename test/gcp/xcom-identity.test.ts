/** The GCP identity construct built directly in a plain CDKTF stack, with plain props (no config). */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ServiceAccountKey } from '@cdktf/provider-google/lib/service-account-key';
import { StorageManagedFolder } from '@cdktf/provider-google/lib/storage-managed-folder';
import { App, TerraformStack, Testing } from 'cdktf';
import { BUCKET_METADATA_PERMISSIONS, OBJECT_PERMISSIONS, XcomIdentity, type XcomIdentityProps } from '../../lib/gcp';
import { resources } from '../terraform/fixtures';

const WORKLOAD: XcomIdentityProps = {
  project: 'acme-data-prod',
  environment: 'prod',
  bucketName: 'acme-airflow-xcoms',
  location: 'europe-west1',
  workloadIdentity: { kubernetesServiceAccounts: [{ namespace: 'airflow', serviceAccount: 'airflow-worker' }] },
};

function build(props: XcomIdentityProps): { identity: XcomIdentity; text: string; json: any } {
  const stack = new TerraformStack(new App(), 'platform');
  new GoogleProvider(stack, 'google', { project: 'acme-data-prod' });
  const identity = new XcomIdentity(stack, 'identity', props);
  const text = Testing.synth(stack);
  return { identity, text, json: JSON.parse(text) };
}

describe('XcomIdentity (GCP), built directly', () => {
  test('workload identity: a service account with the environment suffix, the two custom roles, the managed folder, a binding per GKE service account', () => {
    const { identity, text, json } = build(WORKLOAD);
    expect(text).toHaveResourceWithProperties(ServiceAccount, { project: 'acme-data-prod', account_id: 'airflow-xcoms-prod' });
    expect(text).toHaveResourceWithProperties(ProjectIamCustomRole, { role_id: 'xcomkit_bucket_metadata_prod', permissions: [...BUCKET_METADATA_PERMISSIONS] });
    expect(text).toHaveResourceWithProperties(ProjectIamCustomRole, { role_id: 'xcomkit_objects_prod', permissions: [...OBJECT_PERMISSIONS] });
    // The prefix defaults to "xcom": the object role is granted on that managed folder only.
    expect(text).toHaveResourceWithProperties(StorageManagedFolder, { bucket: 'acme-airflow-xcoms', name: 'xcom/' });
    expect(text).toHaveResourceWithProperties(ServiceAccountIamMember, {
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:acme-data-prod.svc.id.goog[airflow/airflow-worker]',
    });
    expect(identity.workloadPool).toBe('acme-data-prod.svc.id.goog');
    expect(identity.secret).toBeUndefined();
    expect(resources(json, 'google_service_account_key')).toEqual([]);
    expect(resources(json, 'google_secret_manager_secret')).toEqual([]);
  });

  test('a workload pool of another project, a custom service account id and a dedicated bucket', () => {
    const { text, json } = build({
      ...WORKLOAD,
      serviceAccountId: 'xcoms-sa',
      prefix: '',
      workloadIdentity: { kubernetesServiceAccounts: [{ namespace: 'jobs', serviceAccount: 'runner' }], workloadPool: 'acme-gke.svc.id.goog' },
    });
    expect(text).toHaveResourceWithProperties(ServiceAccount, { account_id: 'xcoms-sa-prod' });
    expect(text).toHaveResourceWithProperties(ServiceAccountIamMember, { member: 'serviceAccount:acme-gke.svc.id.goog[jobs/runner]' });
    expect(resources(json, 'google_storage_managed_folder')).toEqual([]);
    expect(resources(json, 'google_storage_bucket_iam_member').map(([, m]) => m.role).length).toBe(2);
  });

  test('key mode: a key stored as a connection in Secret Manager, with accessors, under the default prefix', () => {
    const { identity, text } = build({
      ...WORKLOAD,
      workloadIdentity: undefined,
      key: { secretAccessors: ['serviceAccount:composer@acme-data-prod.iam.gserviceaccount.com'] },
    });
    expect(text).toHaveResource(ServiceAccountKey);
    expect(text).toHaveResourceWithProperties(SecretManagerSecret, { secret_id: 'airflow-prod-connections-gcp_xcoms', replication: { auto: {} } });
    expect(text).toHaveResourceWithProperties(SecretManagerSecretIamMember, {
      role: 'roles/secretmanager.secretAccessor',
      member: 'serviceAccount:composer@acme-data-prod.iam.gserviceaccount.com',
    });
    expect(identity.secret).toEqual({
      name: 'airflow-prod-connections-gcp_xcoms',
      connectionsPrefix: 'airflow-prod-connections',
      id: 'projects/acme-data-prod/secrets/airflow-prod-connections-gcp_xcoms',
    });
    expect(text).not.toHaveResource(ServiceAccountIamMember);
  });

  test('key mode, user-managed replication: replicas in the bucket region by default, or the regions named', () => {
    const inRegion = build({ ...WORKLOAD, workloadIdentity: undefined, key: { secretReplication: 'user-managed' } });
    expect(inRegion.text).toHaveResourceWithProperties(SecretManagerSecret, { replication: { user_managed: { replicas: [{ location: 'europe-west1' }] } } });
    const named = build({ ...WORKLOAD, location: 'EU', workloadIdentity: undefined, key: { secretReplication: 'user-managed', secretReplicaLocations: ['europe-west4', 'europe-west1'] } });
    expect(named.text).toHaveResourceWithProperties(SecretManagerSecret, {
      replication: { user_managed: { replicas: [{ location: 'europe-west4' }, { location: 'europe-west1' }] } },
    });
  });

  test('every invalid prop is reported at once, naming the prop and the value', () => {
    expect(() =>
      build({
        project: 'Acme',
        environment: 'Prod_1',
        bucketName: 'Bad_Bucket',
        location: 'mars-north1x',
        prefix: '/xcom',
        connectionId: '1conn',
        serviceAccountId: 'sa',
        workloadIdentity: { kubernetesServiceAccounts: [{ namespace: 'Airflow', serviceAccount: 'w' }], workloadPool: 'acme-gke' },
      }),
    ).toThrow(
      new RegExp(
        [
          '^XcomIdentity: invalid props:',
          '  - project "Acme": must be a GCP project id',
          '  - environment "Prod_1": must be 1-20 lower-case letters',
          '  - bucketName "Bad_Bucket": is not a valid GCS bucket name',
          '  - location "mars-north1x": must be a GCS location',
          '  - prefix "/xcom": must not start or end with "/"',
          '  - connectionId "1conn": must start with a letter',
          '  - serviceAccountId "sa": must be 6-30 lower-case letters',
          '  - workloadIdentity.kubernetesServiceAccounts\\[0\\].namespace "Airflow": must be a Kubernetes name',
          '  - workloadIdentity.workloadPool "acme-gke": must be a GKE workload identity pool',
        ].join('[\\s\\S]*'),
      ),
    );
  });

  test.each<[string, Partial<XcomIdentityProps>, string]>([
    ['neither mode', { workloadIdentity: undefined }, 'workloadIdentity, key: set exactly one of them'],
    ['both modes', { key: {} }, 'workloadIdentity, key: set exactly one of them'],
    ['no Kubernetes service account', { workloadIdentity: { kubernetesServiceAccounts: [] } }, 'workloadIdentity.kubernetesServiceAccounts: []: name at least one'],
    [
      'an id too long with the environment suffix',
      { serviceAccountId: 'airflow-xcoms-service-acct', environment: 'production' },
      'serviceAccountId "airflow-xcoms-service-acct": plus the environment suffix gives "airflow-xcoms-service-acct-production" (37 characters)',
    ],
    [
      'user-managed replicas on a multi-region without locations',
      { location: 'EU', workloadIdentity: undefined, key: { secretReplication: 'user-managed' } },
      'key.secretReplicaLocations: required because the bucket location "EU" is not a single region',
    ],
    ['replica locations with automatic replication', { workloadIdentity: undefined, key: { secretReplicaLocations: ['europe-west1'] } }, 'key.secretReplicaLocations: only with secretReplication "user-managed"'],
    ['an accessor without a member type', { workloadIdentity: undefined, key: { secretAccessors: ['airflow@acme.iam.gserviceaccount.com'] } }, 'key.secretAccessors[0] "airflow@acme.iam.gserviceaccount.com": must be an IAM member'],
    ['a secrets prefix with "/"', { workloadIdentity: undefined, key: { connectionsPrefix: 'airflow/connections' } }, 'key.connectionsPrefix "airflow/connections": must be 1-200 letters'],
    [
      'a secret id over 255 characters',
      { workloadIdentity: undefined, connectionId: `c${'x'.repeat(99)}`, key: { connectionsPrefix: 'p'.repeat(200) } },
      'is longer than 255 characters',
    ],
  ])('%s is refused', (_name, override, message) => {
    expect(() => build({ ...WORKLOAD, ...override })).toThrow(message);
  });

  test('a bucket name that is a token (another resource) is not checked at synth', () => {
    const stack = new TerraformStack(new App(), 'platform');
    new GoogleProvider(stack, 'google', { project: 'acme-data-prod' });
    const other = new XcomIdentity(stack, 'first', WORKLOAD);
    expect(() => new XcomIdentity(stack, 'second', { ...WORKLOAD, environment: 'dev', bucketName: other.managedFolder!.bucket })).not.toThrow();
  });
});
