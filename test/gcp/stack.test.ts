import { DataGoogleStorageProjectServiceAccount } from '@cdktf/provider-google/lib/data-google-storage-project-service-account';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { ServiceAccountKey } from '@cdktf/provider-google/lib/service-account-key';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageManagedFolder } from '@cdktf/provider-google/lib/storage-managed-folder';
import { StorageManagedFolderIamMember } from '@cdktf/provider-google/lib/storage-managed-folder-iam-member';
import { Testing } from 'cdktf';
import { BINDING_OUTPUT_TF, bindingSchema } from '../../lib/binding';
import { GcpXcomStack } from '../../lib/apps/gcp-stack';
import { labelsFromTags } from '../../lib/gcp/labels';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { GCP_BASE, environment, only, resources, synthGcp } from '../terraform/fixtures';

const KEY_IDENTITY = { mode: 'key' };

describe('GcpXcomStack: bucket', () => {
  test('the bucket has uniform access, enforced public access prevention, versioning and no force destroy', () => {
    const { text } = synthGcp({ gcp: GCP_BASE });
    expect(text).toHaveResourceWithProperties(StorageBucket, {
      name: 'acme-data-prod-airflow-xcoms-test',
      project: 'acme-data-prod',
      location: 'europe-west1',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      versioning: { enabled: true },
      force_destroy: false,
      storage_class: 'STANDARD',
    });
  });

  test('soft delete is off by default and set in seconds when configured', () => {
    expect(only(synthGcp({ gcp: GCP_BASE }).json, 'google_storage_bucket').soft_delete_policy).toEqual({ retention_duration_seconds: 0 });
    expect(only(synthGcp({ gcp: { ...GCP_BASE, softDeleteDays: 7 } }).json, 'google_storage_bucket').soft_delete_policy).toEqual({
      retention_duration_seconds: 604800,
    });
  });

  test('lifecycle rules delete live objects under the prefix, then noncurrent versions, and abort stale multipart uploads', () => {
    const { json } = synthGcp({ gcp: GCP_BASE, retention: { currentDays: 14, noncurrentDays: 3 } });
    expect(only(json, 'google_storage_bucket').lifecycle_rule).toEqual([
      { action: { type: 'Delete' }, condition: { age: 14, matches_prefix: ['xcom/'], with_state: 'LIVE' } },
      { action: { type: 'Delete' }, condition: { days_since_noncurrent_time: 3, matches_prefix: ['xcom/'], with_state: 'ARCHIVED' } },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ]);
  });

  test('noncurrentNewerVersions adds num_newer_versions to the noncurrent rule', () => {
    const { json } = synthGcp({ gcp: GCP_BASE, retention: { noncurrentNewerVersions: 2 } });
    expect(only(json, 'google_storage_bucket').lifecycle_rule[1].condition).toMatchObject({ days_since_noncurrent_time: 7, num_newer_versions: 2 });
  });

  test('a dedicated bucket with an empty prefix gets rules without matches_prefix', () => {
    const { json } = synthGcp({ gcp: GCP_BASE, xcom: { prefix: '', dedicatedBucket: true } });
    const rules = only(json, 'google_storage_bucket').lifecycle_rule;
    expect(rules[0].condition).toEqual({ age: 30, with_state: 'LIVE' });
  });

  test('a nested prefix is matched with its trailing slash', () => {
    const { json } = synthGcp({ gcp: GCP_BASE, xcom: { prefix: 'airflow/xcom' } });
    expect(only(json, 'google_storage_bucket').lifecycle_rule[0].condition.matches_prefix).toEqual(['airflow/xcom/']);
  });

  test('labels come from tags, lower-cased and sanitized', () => {
    const { json } = synthGcp({ gcp: GCP_BASE, tags: { Team: 'Data Eng', 'cost:center': 'CC-42', '1st': 'x' } });
    expect(only(json, 'google_storage_bucket').labels).toEqual({ team: 'data_eng', cost_center: 'cc-42', t1st: 'x' });
  });

  test('tags that collapse onto one label key are an error naming both', () => {
    expect(() => labelsFromTags({ Env: 'a', env: 'b' })).toThrow('tags "Env" and "env" both become the GCP label key "env"');
  });

  test('retain protects the bucket from destroy; destroy does not (force_destroy stays false either way)', () => {
    expect(only(synthGcp({ gcp: GCP_BASE, removalPolicy: 'retain' }).json, 'google_storage_bucket').lifecycle).toEqual({ prevent_destroy: true });
    const destroyable = only(synthGcp({ gcp: GCP_BASE, removalPolicy: 'destroy' }).json, 'google_storage_bucket');
    expect(destroyable.lifecycle).toEqual({ prevent_destroy: false });
    expect(destroyable.force_destroy).toBe(false);
  });

  test('without CMEK there is no encryption block and no KMS grant', () => {
    const { json } = synthGcp({ gcp: GCP_BASE });
    expect(only(json, 'google_storage_bucket').encryption).toBeUndefined();
    expect(resources(json, 'google_kms_crypto_key_iam_member')).toHaveLength(0);
  });

  test('CMEK sets the default key and grants the storage service agent on that key before the bucket exists', () => {
    const key = 'projects/acme-data-prod/locations/europe-west1/keyRings/airflow/cryptoKeys/xcoms';
    const { json, text } = synthGcp({ gcp: { ...GCP_BASE, kmsKeyName: key } });
    const bucket = only(json, 'google_storage_bucket');
    expect(bucket.encryption).toEqual({ default_kms_key_name: key });
    expect(text).toHaveDataSourceWithProperties(DataGoogleStorageProjectServiceAccount, { project: 'acme-data-prod' });
    const [[grantId, grant]] = resources(json, 'google_kms_crypto_key_iam_member');
    expect(grant).toEqual({
      crypto_key_id: key,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: expect.stringMatching(/^\$\{data\.google_storage_project_service_account\.[\w-]+\.member\}$/),
    });
    expect(bucket.depends_on).toEqual([`google_kms_crypto_key_iam_member.${grantId}`]);
  });

  test('an explicit bucket name wins over the default', () => {
    const { text } = synthGcp({ gcp: { ...GCP_BASE, bucketName: 'acme-xcoms' } });
    expect(text).toHaveResourceWithProperties(StorageBucket, { name: 'acme-xcoms' });
  });

  test('fails at synth when the default bucket name is too long, and says to set bucketName', () => {
    expect(() =>
      new GcpXcomStack(Testing.app(), { environment: 'integration-tests-eu', config: environment({ gcp: { ...GCP_BASE, project: 'acme-data-platform-production' } }) }),
    ).toThrow(/gcp\.bucketName: the default name "acme-data-platform-production-airflow-xcoms-integration-tests-eu" is not a valid GCS bucket name \(it must be 3 to 63 characters long\): set gcp\.bucketName/);
  });
});

describe('GcpXcomStack: provider and state', () => {
  test('the provider targets the project', () => {
    expect(synthGcp({ gcp: GCP_BASE }).text).toHaveProviderWithProperties(GoogleProvider, { project: 'acme-data-prod' });
  });

  test('local state uses a relative path at the project root by default', () => {
    expect(synthGcp({ gcp: GCP_BASE }).json.terraform.backend).toEqual({ local: { path: '../../../terraform.gcp-test.tfstate' } });
  });

  test('a configured relative local path is kept', () => {
    expect(synthGcp({ gcp: { ...GCP_BASE, state: { type: 'local', path: 'state/gcp.tfstate' } } }).json.terraform.backend).toEqual({
      local: { path: 'state/gcp.tfstate' },
    });
  });

  test('GCS state puts each stack under its own prefix', () => {
    const { json } = synthGcp({ gcp: { ...GCP_BASE, state: { type: 'gcs', bucket: 'acme-tfstate', prefix: 'airflow-xcoms' } } });
    expect(json.terraform.backend).toEqual({ gcs: { bucket: 'acme-tfstate', prefix: 'airflow-xcoms/gcp-test' } });
  });
});

describe('GcpXcomStack: identity', () => {
  test('creates the airflow-xcoms-<env> service account', () => {
    expect(synthGcp({ gcp: GCP_BASE }, 'prod').text).toHaveResourceWithProperties(ServiceAccount, {
      account_id: 'airflow-xcoms-prod',
      project: 'acme-data-prod',
    });
  });

  test('a service account id that is too long with the environment suffix fails with the field name', () => {
    expect(() =>
      new GcpXcomStack(Testing.app(), {
        environment: 'integration',
        config: environment({ gcp: { ...GCP_BASE, identity: { ...GCP_BASE.identity, serviceAccountId: 'airflow-xcoms-worker-sa' } } }),
      }),
    ).toThrow(/gcp\.identity\.serviceAccountId: "airflow-xcoms-worker-sa" plus the environment suffix gives "airflow-xcoms-worker-sa-integration" \(35 characters\)/);
  });

  test('custom roles hold exactly storage.buckets.get, and object get/create/delete/list', () => {
    const { text, json } = synthGcp({ gcp: GCP_BASE }, 'prod');
    expect(text).toHaveResourceWithProperties(ProjectIamCustomRole, { role_id: 'xcomkit_bucket_metadata_prod', permissions: ['storage.buckets.get'], stage: 'GA' });
    expect(text).toHaveResourceWithProperties(ProjectIamCustomRole, {
      role_id: 'xcomkit_objects_prod',
      permissions: ['storage.objects.create', 'storage.objects.delete', 'storage.objects.get', 'storage.objects.list'],
    });
    expect(resources(json, 'google_project_iam_custom_role')).toHaveLength(2);
  });

  test('environment names with "-" become valid custom role ids', () => {
    const { text } = synthGcp({ gcp: GCP_BASE }, 'eu-prod');
    expect(text).toHaveResourceWithProperties(ProjectIamCustomRole, { role_id: 'xcomkit_objects_eu_prod' });
  });

  test('object access goes through a managed folder for the prefix; the bucket gets only the metadata role', () => {
    const { json, text } = synthGcp({ gcp: GCP_BASE });
    expect(text).toHaveResourceWithProperties(StorageManagedFolder, { name: 'xcom/', force_destroy: false });
    const folderGrant = only(json, 'google_storage_managed_folder_iam_member');
    expect(folderGrant.role).toMatch(/^\$\{google_project_iam_custom_role\.[\w-]*object-role[\w-]*\.name\}$/);
    expect(folderGrant.managed_folder).toMatch(/^\$\{google_storage_managed_folder\.[\w-]+\.name\}$/);
    const bucketGrants = resources(json, 'google_storage_bucket_iam_member').map(([, b]) => b);
    expect(bucketGrants).toHaveLength(1);
    expect(bucketGrants[0].role).toMatch(/bucket-role[\w-]*\.name\}$/);
    expect(bucketGrants[0].member).toMatch(/^serviceAccount:\$\{google_service_account\.[\w-]+\.email\}$/);
    expect(text).toHaveResourceWithProperties(StorageManagedFolderIamMember, { member: bucketGrants[0].member });
  });

  test('a dedicated bucket grants the object role on the bucket and creates no managed folder', () => {
    const { json } = synthGcp({ gcp: GCP_BASE, xcom: { prefix: '', dedicatedBucket: true } });
    expect(resources(json, 'google_storage_managed_folder')).toHaveLength(0);
    const roles = resources(json, 'google_storage_bucket_iam_member').map(([, b]) => b.role);
    expect(roles).toEqual([expect.stringMatching(/bucket-role/), expect.stringMatching(/object-role/)]);
  });

  test('workload identity binds each GKE service account and creates no key', () => {
    const { json, text } = synthGcp({
      gcp: { ...GCP_BASE, identity: { mode: 'workload-identity', kubernetes: [{ namespace: 'airflow', serviceAccount: 'worker' }, { namespace: 'batch', serviceAccount: 'triggerer' }] } },
    });
    expect(text).toHaveResourceWithProperties(ServiceAccountIamMember, { role: 'roles/iam.workloadIdentityUser', member: 'serviceAccount:acme-data-prod.svc.id.goog[airflow/worker]' });
    expect(text).toHaveResourceWithProperties(ServiceAccountIamMember, { role: 'roles/iam.workloadIdentityUser', member: 'serviceAccount:acme-data-prod.svc.id.goog[batch/triggerer]' });
    expect(resources(json, 'google_service_account_iam_member')).toHaveLength(2);
    expect(text).not.toHaveResource(ServiceAccountKey);
    expect(text).not.toHaveResource(SecretManagerSecret);
  });

  test('GKE in another project: the member names that project\'s pool, while the service account and grants stay in the bucket project', () => {
    // GIVEN a bucket in acme-data-prod and a GKE cluster in acme-gke-shared
    const { json, stack } = synthGcp({
      gcp: { ...GCP_BASE, identity: { ...GCP_BASE.identity, workloadPool: 'acme-gke-shared.svc.id.goog' } },
    });
    // THEN the Workload Identity member comes from the cluster's pool, and nothing names the bucket project's pool
    const members = resources(json, 'google_service_account_iam_member').map(([, m]) => m.member);
    expect(members).toEqual(['serviceAccount:acme-gke-shared.svc.id.goog[airflow/airflow-worker]']);
    expect(JSON.stringify(json)).not.toContain('acme-data-prod.svc.id.goog');
    expect(stack.identity?.workloadPool).toBe('acme-gke-shared.svc.id.goog');
    expect(only(json, 'google_service_account').project).toBe('acme-data-prod');
    expect(resources(json, 'google_project_iam_custom_role').map(([, r]) => r.project)).toEqual(['acme-data-prod', 'acme-data-prod']);
  });

  test('without workloadPool the pool is the bucket project\'s (GKE in the same project)', () => {
    expect(synthGcp({ gcp: GCP_BASE }).stack.identity?.workloadPool).toBe('acme-data-prod.svc.id.goog');
  });

  test('key mode stores the key as a google_cloud_platform connection in Secret Manager under <prefix>-<conn_id>', () => {
    const { json, text } = synthGcp({ gcp: { ...GCP_BASE, identity: KEY_IDENTITY } });
    expect(text).toHaveResourceWithProperties(ServiceAccountKey, { private_key_type: 'TYPE_GOOGLE_CREDENTIALS_FILE' });
    expect(text).toHaveResourceWithProperties(SecretManagerSecret, { secret_id: 'airflow-test-connections-gcp_xcoms', replication: { auto: {} } });
    const version = only(json, 'google_secret_manager_secret_version');
    expect(version.secret_data).toMatch(
      /^\$\{jsonencode\(\{"conn_type" = "google_cloud_platform", "extra" = \{"project" = "acme-data-prod", "keyfile_dict" = jsondecode\(base64decode\(google_service_account_key\.[\w-]+\.private_key\)\)\}\}\)\}$/,
    );
    expect(resources(json, 'google_service_account_iam_member')).toHaveLength(0);
  });

  test('key mode with user-managed replication keeps the secret in the bucket region', () => {
    const { text } = synthGcp({ gcp: { ...GCP_BASE, identity: { mode: 'key', secretReplication: { type: 'user-managed' } } } });
    expect(text).toHaveResourceWithProperties(SecretManagerSecret, { replication: { user_managed: { replicas: [{ location: 'europe-west1' }] } } });
  });

  test('key mode grants secret accessors when configured', () => {
    const { json } = synthGcp({ gcp: { ...GCP_BASE, identity: { mode: 'key', secretAccessors: ['serviceAccount:composer@acme-data-prod.iam.gserviceaccount.com'] } } });
    expect(only(json, 'google_secret_manager_secret_iam_member')).toMatchObject({
      role: 'roles/secretmanager.secretAccessor',
      member: 'serviceAccount:composer@acme-data-prod.iam.gserviceaccount.com',
    });
  });
});

describe('GcpXcomStack: outputs and binding', () => {
  function binding(json: any) {
    const value: string = json.output[BINDING_OUTPUT_TF].value;
    return bindingSchema.parse(JSON.parse(substituteInterpolations(value, (ref) => `<deploy-time:${ref}>`)));
  }

  test('the binding output is JSON once interpolations are replaced, and matches the binding schema', () => {
    const { json } = synthGcp({ gcp: GCP_BASE }, 'prod');
    const b = binding(json);
    expect(b).toEqual({
      schemaVersion: 1,
      cloud: 'gcp',
      environment: 'prod',
      storage: { bucket: 'acme-data-prod-airflow-xcoms-prod', prefix: 'xcom', region: 'europe-west1' },
      xcom: { path: 'gs://gcp_xcoms@acme-data-prod-airflow-xcoms-prod/xcom', threshold: 1024, compression: 'gzip' },
      connection: { id: 'gcp_xcoms', type: 'google_cloud_platform', extra: { project: 'acme-data-prod' } },
      identity: {
        mode: 'workload-identity',
        principal: expect.stringMatching(/^<deploy-time:google_service_account\.[\w-]+\.email>$/),
        kubernetesServiceAccounts: [{ namespace: 'airflow', serviceAccount: 'airflow-worker' }],
      },
    });
  });

  test('in key mode the binding names the secret, never the key', () => {
    const { json } = synthGcp({ gcp: { ...GCP_BASE, identity: KEY_IDENTITY } }, 'prod');
    const value: string = json.output[BINDING_OUTPUT_TF].value;
    expect(value).not.toMatch(/private_key|keyfile/);
    expect(binding(json).identity).toEqual({
      mode: 'key',
      principal: expect.stringContaining('<deploy-time:'),
      secret: {
        store: 'gcp-secret-manager',
        name: 'airflow-prod-connections-gcp_xcoms',
        connectionsPrefix: 'airflow-prod-connections',
        id: 'projects/acme-data-prod/secrets/airflow-prod-connections-gcp_xcoms',
      },
    });
  });

  test('convenience outputs name the bucket, the path and the service account; none references the key', () => {
    const { json } = synthGcp({ gcp: { ...GCP_BASE, identity: KEY_IDENTITY } });
    expect(Object.keys(json.output).sort()).toEqual(['airflow_binding', 'bucket_name', 'connection_secret_id', 'service_account_email', 'xcom_objectstorage_path']);
    expect(json.output.xcom_objectstorage_path.value).toBe('gs://gcp_xcoms@acme-data-prod-airflow-xcoms-test/xcom');
    expect(JSON.stringify(json.output)).not.toMatch(/private_key|secret_data/);
  });
});

describe('GcpXcomStack: identity checks that join two fields name the config field', () => {
  test('a service account id too long with the environment suffix', () => {
    expect(() => synthGcp({ gcp: GCP_BASE }, 'production-europe')).toThrow(
      'gcp.identity.serviceAccountId: "airflow-xcoms" plus the environment suffix gives "airflow-xcoms-production-europe" (31 characters)',
    );
  });

  test('a Secret Manager secret id over 255 characters', () => {
    const gcp = { ...GCP_BASE, connectionId: `c${'x'.repeat(99)}`, identity: { mode: 'key', connectionsPrefix: 'p'.repeat(200) } };
    expect(() => synthGcp({ gcp })).toThrow(/^gcp\.identity\.connectionsPrefix: secret id "p{200}-cx{99}" is longer than 255 characters$/);
  });
});
