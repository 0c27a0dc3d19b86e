/** XcomBucket built directly in a plain CDKTF stack, as a CDKTF user composing their own storage would. */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { KMS_ENCRYPTER_DECRYPTER_ROLE, XcomBucket, type XcomBucketProps } from '../../lib/gcp';
import { resources } from '../terraform/fixtures';

const PROPS: XcomBucketProps = { project: 'acme-data-prod', name: 'acme-airflow-xcoms', location: 'europe-west1', prefix: 'xcom', currentDays: 14, noncurrentDays: 3 };

function synth(props: Partial<XcomBucketProps>) {
  const stack = new TerraformStack(new App(), 'platform');
  new GoogleProvider(stack, 'google', { project: 'acme-data-prod' });
  const xcoms = new XcomBucket(stack, 'xcoms', { ...PROPS, ...props });
  const json = JSON.parse(Testing.synth(stack));
  const [[, bucket], ...others] = resources(json, 'google_storage_bucket');
  expect(others).toEqual([]);
  return { xcoms, json, bucket };
}

describe('XcomBucket', () => {
  test('defaults: hardened, versioned, soft delete off, prevent_destroy, no labels, no CMEK', () => {
    const { xcoms, json, bucket } = synth({});
    expect(xcoms.objectPrefix).toBe('xcom/');
    expect(bucket).toMatchObject({
      project: 'acme-data-prod',
      name: 'acme-airflow-xcoms',
      location: 'europe-west1',
      storage_class: 'STANDARD',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      versioning: { enabled: true },
      soft_delete_policy: { retention_duration_seconds: 0 },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    for (const key of ['labels', 'encryption', 'depends_on']) expect(bucket[key]).toBeUndefined();
    expect(resources(json, 'google_kms_crypto_key_iam_member')).toEqual([]);
  });

  test('lifecycle: live objects and noncurrent versions under the prefix only, and abandoned multipart uploads', () => {
    const { bucket } = synth({ noncurrentNewerVersions: 2 });
    expect(bucket.lifecycle_rule).toEqual([
      { action: { type: 'Delete' }, condition: { age: 14, matches_prefix: ['xcom/'], with_state: 'LIVE' } },
      { action: { type: 'Delete' }, condition: { days_since_noncurrent_time: 3, num_newer_versions: 2, matches_prefix: ['xcom/'], with_state: 'ARCHIVED' } },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ]);
  });

  test('a dedicated bucket (empty prefix): the rules match every object', () => {
    const { xcoms, bucket } = synth({ prefix: '' });
    expect(xcoms.objectPrefix).toBe('');
    for (const rule of bucket.lifecycle_rule) expect(rule.condition.matches_prefix).toBeUndefined();
  });

  test('CMEK: the bucket waits for the storage service agent to hold encrypt/decrypt on the key', () => {
    const key = 'projects/acme-kms/locations/europe-west1/keyRings/airflow/cryptoKeys/xcoms';
    const { json, bucket } = synth({ kmsKeyName: key });
    expect(bucket.encryption).toEqual({ default_kms_key_name: key });
    const [[grantId, grant]] = resources(json, 'google_kms_crypto_key_iam_member');
    expect(grant).toMatchObject({ crypto_key_id: key, role: KMS_ENCRYPTER_DECRYPTER_ROLE });
    expect(grant.member).toMatch(/^\$\{data\.google_storage_project_service_account\.[\w-]+\.member\}$/);
    expect(bucket.depends_on).toEqual([`google_kms_crypto_key_iam_member.${grantId}`]);
  });

  test('labels, soft delete and prevent_destroy are passed through as given', () => {
    const { bucket } = synth({ labels: { env: 'prod', team: 'data' }, softDeleteDays: 7, preventDestroy: false });
    expect(bucket.labels).toEqual({ env: 'prod', team: 'data' });
    expect(bucket.soft_delete_policy).toEqual({ retention_duration_seconds: 7 * 86_400 });
    expect(bucket.lifecycle).toEqual({ prevent_destroy: false });
  });
});
