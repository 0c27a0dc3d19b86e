/** The GCP construct built directly in a plain CDKTF stack, as a CDKTF user would, and the YAML mode `existing`. */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { validateBinding } from '../../lib/airflow/validate';
import { BINDING_OUTPUT_TF, parseBinding } from '../../lib/binding';
import { AirflowXcomGcsStorage, BUCKET_METADATA_PERMISSIONS, NEVER_GRANTED, OBJECT_PERMISSIONS } from '../../lib/gcp';
import { substituteInterpolations } from '../../lib/terraform/binding-output';
import { GCP_BASE, resources, synthGcp } from '../terraform/fixtures';

const COMPOSER_SA = 'composer-env@acme-data-prod.iam.gserviceaccount.com';

function consumerStack(): TerraformStack {
  const stack = new TerraformStack(new App(), 'platform');
  new GoogleProvider(stack, 'google', { project: 'acme-data-prod' });
  return stack;
}

describe('AirflowXcomGcsStorage', () => {
  test('defaults: prefix xcom, 30/7-day lifecycle, uniform access, public access prevention, prevent_destroy', () => {
    const stack = consumerStack();
    new AirflowXcomGcsStorage(stack, 'xcoms', { project: 'acme-data-prod', location: 'europe-west1', bucketName: 'acme-airflow-xcoms' });
    const json = JSON.parse(Testing.synth(stack));
    const [[, bucket]] = resources(json, 'google_storage_bucket');
    expect(bucket).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced', force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(bucket.lifecycle_rule[0].condition).toEqual({ age: 30, matches_prefix: ['xcom/'], with_state: 'LIVE' });
    expect(bucket.lifecycle_rule[1].condition).toMatchObject({ days_since_noncurrent_time: 7 });
    // Nothing is granted until a principal is named.
    expect(resources(json, 'google_storage_managed_folder_iam_member')).toEqual([]);
  });

  test('grantReadWrite gives an existing service account the two custom roles on the bucket and the managed folder only', () => {
    // GIVEN Composer's environment service account, which the user already has
    const stack = consumerStack();
    const xcoms = new AirflowXcomGcsStorage(stack, 'xcoms', { project: 'acme-data-prod', location: 'europe-west1', bucketName: 'acme-airflow-xcoms', prefix: 'airflow/xcom' });
    // WHEN
    expect(xcoms.grantReadWrite(COMPOSER_SA)).toBe(`serviceAccount:${COMPOSER_SA}`);
    const json = JSON.parse(Testing.synth(stack));
    // THEN
    const roles = resources(json, 'google_project_iam_custom_role').map(([, r]) => r);
    expect(roles.map((r) => r.permissions).sort()).toEqual([[...BUCKET_METADATA_PERMISSIONS], [...OBJECT_PERMISSIONS]].sort());
    expect(roles.flatMap((r) => r.permissions).filter((p: string) => (NEVER_GRANTED as readonly string[]).includes(p))).toEqual([]);
    expect(resources(json, 'google_storage_managed_folder').map(([, f]) => f.name)).toEqual(['airflow/xcom/']);
    expect(resources(json, 'google_storage_managed_folder_iam_member').map(([, m]) => m.member)).toEqual([`serviceAccount:${COMPOSER_SA}`]);
    expect(resources(json, 'google_storage_bucket_iam_member').map(([, m]) => m.member)).toEqual([`serviceAccount:${COMPOSER_SA}`]);
    for (const type of ['google_service_account', 'google_service_account_key', 'google_service_account_iam_member', 'google_project_iam_member']) {
      expect(resources(json, type)).toEqual([]);
    }
  });

  test('the binding output names the existing service account (mode existing) and passes xcomkit validation', () => {
    const stack = consumerStack();
    const xcoms = new AirflowXcomGcsStorage(stack, 'xcoms', { project: 'acme-data-prod', location: 'EU', bucketName: 'acme-airflow-xcoms', environment: 'prod', compression: 'zstd' });
    xcoms.grantReadWrite(COMPOSER_SA);
    xcoms.addBindingOutput();
    const json = JSON.parse(Testing.synth(stack));
    const binding = parseBinding(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, () => 'x'));
    expect(binding).toEqual({
      schemaVersion: 1,
      cloud: 'gcp',
      environment: 'prod',
      storage: { bucket: 'acme-airflow-xcoms', prefix: 'xcom', region: 'EU' },
      xcom: { path: 'gs://gcp_xcoms@acme-airflow-xcoms/xcom', threshold: 1024, compression: 'zstd' },
      connection: { id: 'gcp_xcoms', type: 'google_cloud_platform', extra: { project: 'acme-data-prod' } },
      identity: { mode: 'existing', principal: COMPOSER_SA, principals: [COMPOSER_SA] },
    });
    expect(() => validateBinding(binding)).not.toThrow();
  });

  test('a dedicated bucket (empty prefix) grants objects on the bucket, without a managed folder', () => {
    const stack = consumerStack();
    new AirflowXcomGcsStorage(stack, 'xcoms', { project: 'acme-data-prod', location: 'EU', bucketName: 'acme-airflow-xcoms', prefix: '' }).grantReadWrite(COMPOSER_SA);
    const json = JSON.parse(Testing.synth(stack));
    expect(resources(json, 'google_storage_managed_folder')).toEqual([]);
    expect(resources(json, 'google_storage_bucket_iam_member')).toHaveLength(2);
  });

  test('fails at construction with every bad prop named, with its value', () => {
    const stack = consumerStack();
    expect(() => new AirflowXcomGcsStorage(stack, 'xcoms', { project: 'p-123456', location: 'EU', bucketName: 'Bad_Bucket', prefix: 'xcom/', softDeleteDays: 3 })).toThrow(
      /prefix "xcom\/": must not start or end with "\/"[\s\S]*bucketName "Bad_Bucket": is not a valid GCS bucket name[\s\S]*softDeleteDays: 3 must be 0 \(off\) or 7 to 90/,
    );
  });

  test('reading the binding before a grant says what to do', () => {
    const xcoms = new AirflowXcomGcsStorage(consumerStack(), 'xcoms', { project: 'acme-data-prod', location: 'EU', bucketName: 'acme-airflow-xcoms' });
    expect(() => xcoms.binding).toThrow(/call grantReadWrite\(<service account e-mail>\)/);
  });
});

describe('GcpXcomStack, identity mode existing', () => {
  const existing = (serviceAccounts: string[]) => ({ gcp: { ...GCP_BASE, identity: { mode: 'existing', serviceAccounts } } });

  test('grants the named service accounts directly: no service account, key or workload identity binding is created', () => {
    const other = 'airflow-worker@acme-gke.iam.gserviceaccount.com';
    const { json } = synthGcp(existing([COMPOSER_SA, other]));
    expect(resources(json, 'google_service_account')).toEqual([]);
    expect(resources(json, 'google_service_account_iam_member')).toEqual([]);
    expect(resources(json, 'google_service_account_key')).toEqual([]);
    expect(resources(json, 'google_storage_managed_folder_iam_member').map(([, m]) => m.member).sort()).toEqual([`serviceAccount:${other}`, `serviceAccount:${COMPOSER_SA}`]);
    const binding = parseBinding(substituteInterpolations(json.output[BINDING_OUTPUT_TF].value, () => 'x'));
    expect(binding.identity).toEqual({ mode: 'existing', principal: COMPOSER_SA, principals: [COMPOSER_SA, other] });
  });

  test('the bucket, the custom roles and the managed folder keep the Terraform addresses of the other modes', () => {
    const addresses = (json: any) =>
      ['google_storage_bucket', 'google_project_iam_custom_role', 'google_storage_managed_folder'].flatMap((t) => resources(json, t).map(([id]) => `${t}.${id}`));
    expect(addresses(synthGcp(existing([COMPOSER_SA])).json)).toEqual(addresses(synthGcp({ gcp: GCP_BASE }).json));
  });

  test('the config refuses what is not a service-account e-mail, and duplicates, naming the field', () => {
    expect(() => synthGcp(existing(['airflow@example.com']))).toThrow(/gcp\.identity\.serviceAccounts\.0: "airflow@example\.com" is not valid: must be a service-account e-mail/);
    expect(() => synthGcp(existing([COMPOSER_SA, COMPOSER_SA]))).toThrow(/gcp\.identity\.serviceAccounts: .*lists a service account twice/);
    expect(() => synthGcp(existing([]))).toThrow(/name at least one existing service account/);
  });
});
