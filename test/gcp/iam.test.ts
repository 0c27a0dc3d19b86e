/**
 * What the GCP identity is granted, proven two ways:
 * - snapshots of every IAM binding and custom role per environment (a reviewer sees each change);
 * - the gcsfs call sequence of an XCom push, read and purge, evaluated against the synthesized grants
 *   with GCS's scoping rules: a bucket grant covers the bucket and all its objects and listings; a
 *   managed-folder grant covers objects named `<folder>...` and object listings whose `prefix` starts
 *   with `<folder>`, and nothing at bucket level.
 */
import { Testing } from 'cdktf';
import { GcpXcomStack } from '../../lib/gcp/stack';
import { GCP_BASE, resources, shippedConfig, synthGcp } from '../terraform/fixtures';
import { allowed, grantsOf, type Request } from './grants';

/**
 * Written out here, not imported from lib/gcp/permissions.ts: a permission added there by mistake
 * must not silently leave this list too.
 */
const NEVER_GRANTED_HERE = [
  'storage.buckets.create',
  'storage.buckets.delete',
  'storage.buckets.update',
  'storage.buckets.setIamPolicy',
  'storage.buckets.getIamPolicy',
  'storage.objects.update',
  'storage.objects.setIamPolicy',
  'storage.objects.getIamPolicy',
  'storage.managedFolders.create',
  'storage.managedFolders.setIamPolicy',
  'storage.managedFolders.delete',
  'storage.hmacKeys.create',
  'iam.serviceAccounts.actAs',
  'iam.serviceAccountKeys.create',
];

const IAM_TYPES = [
  'google_project_iam_custom_role',
  'google_storage_bucket_iam_member',
  'google_storage_managed_folder_iam_member',
  'google_service_account_iam_member',
  'google_secret_manager_secret_iam_member',
  'google_kms_crypto_key_iam_member',
];

function iamOf(json: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const type of IAM_TYPES) {
    const found = json.resource?.[type];
    if (found) out[type] = found;
  }
  return out;
}

/** What gcsfs sends for one XCom (read in gcsfs core.py: _info, _get_object, _mkdir, _pipe_file, _rm). */
function xcomRoundTrip(prefix: string): Request[] {
  const key = `${prefix === '' ? '' : `${prefix}/`}example_dag/manual__2026-01-01/push/0b6c5a.json`;
  return [
    { call: 'exists(key): GET object', permission: 'storage.objects.get', object: key },
    { call: 'exists(key): list prefix=<key>/ (directory check)', permission: 'storage.objects.list', listPrefix: `${key}/` },
    { call: 'exists(key): list prefix=<key> (fallback after a 403 on GET)', permission: 'storage.objects.list', listPrefix: key },
    { call: 'mkdir(parent): GET bucket', permission: 'storage.buckets.get' },
    { call: 'write: upload', permission: 'storage.objects.create', object: key },
    { call: 'write: replace an existing name', permission: 'storage.objects.delete', object: key },
    { call: 'read: GET media', permission: 'storage.objects.get', object: key },
    { call: 'unlink: DELETE', permission: 'storage.objects.delete', object: key },
  ];
}

describe('GCP identity grants', () => {
  test.each([['workload-identity'], ['key']])('every gcsfs request of an XCom round trip is allowed (%s mode)', (mode) => {
    const identity = mode === 'key' ? { mode: 'key' } : GCP_BASE.identity;
    const grants = grantsOf(synthGcp({ gcp: { ...GCP_BASE, identity } }).json);
    const denied = xcomRoundTrip('xcom').filter((r) => !allowed(grants, r));
    expect(denied).toEqual([]);
  });

  test('every gcsfs request is allowed under a nested prefix and in a dedicated bucket', () => {
    const nested = grantsOf(synthGcp({ gcp: GCP_BASE, xcom: { prefix: 'airflow/xcom' } }).json);
    expect(xcomRoundTrip('airflow/xcom').filter((r) => !allowed(nested, r))).toEqual([]);
    const dedicated = grantsOf(synthGcp({ gcp: GCP_BASE, xcom: { prefix: '', dedicatedBucket: true } }).json);
    expect(xcomRoundTrip('').filter((r) => !allowed(dedicated, r))).toEqual([]);
  });

  test('nothing outside the prefix, no whole-bucket listing and no bucket change is allowed', () => {
    const grants = grantsOf(synthGcp({ gcp: GCP_BASE }).json);
    const outside: Request[] = [
      { call: 'list the whole bucket (gcsfs fallback when GET bucket is denied)', permission: 'storage.objects.list', listPrefix: null },
      { call: 'list a sibling prefix', permission: 'storage.objects.list', listPrefix: 'exports/' },
      { call: 'list a prefix that only starts like the folder', permission: 'storage.objects.list', listPrefix: 'xcom' },
      { call: 'read outside the prefix', permission: 'storage.objects.get', object: 'exports/data.csv' },
      { call: 'write a look-alike name', permission: 'storage.objects.create', object: 'xcom-old/x.json' },
      { call: 'delete outside the prefix', permission: 'storage.objects.delete', object: 'exports/data.csv' },
      { call: 'mkdir fallback: create the bucket', permission: 'storage.buckets.create' },
      ...NEVER_GRANTED_HERE.map((permission) => ({ call: `never: ${permission}`, permission, object: 'xcom/x' })),
    ];
    expect(outside.filter((r) => allowed(grants, r)).map((r) => r.call)).toEqual([]);
  });

  test('gcsfs\'s layout probe (Storage Control GetStorageLayout, no prefix: a whole-bucket list) is denied, which is why xcomkit switches it off', () => {
    const grants = grantsOf(synthGcp({ gcp: GCP_BASE }).json);
    expect(allowed(grants, { call: 'GetStorageLayout', permission: 'storage.objects.list', listPrefix: null })).toBe(false);
  });

  test('no permission outside the two custom roles, and no predefined storage role, is granted', () => {
    const { json } = synthGcp({ gcp: GCP_BASE });
    const permissions = resources(json, 'google_project_iam_custom_role').flatMap(([, r]) => r.permissions as string[]);
    expect(permissions.sort()).toEqual(['storage.buckets.get', 'storage.objects.create', 'storage.objects.delete', 'storage.objects.get', 'storage.objects.list']);
    const storageRoles = [...resources(json, 'google_storage_bucket_iam_member'), ...resources(json, 'google_storage_managed_folder_iam_member')].map(([, m]) => m.role as string);
    expect(storageRoles.every((r) => r.startsWith('${google_project_iam_custom_role.'))).toBe(true);
  });

  test('every grant goes to the stack service account', () => {
    const grants = grantsOf(synthGcp({ gcp: GCP_BASE }).json);
    expect(new Set(grants.map((g) => g.member))).toEqual(new Set([expect.stringMatching(/^serviceAccount:\$\{google_service_account\.[\w-]+\.email\}$/)]));
  });
});

describe('GCP IAM snapshots', () => {
  const config = shippedConfig();
  test.each(Object.keys(config.environments))('IAM bindings and custom roles of the shipped environment %s', (env) => {
    const stack = new GcpXcomStack(Testing.app(), { environment: env, config: config.environments[env] });
    expect(iamOf(JSON.parse(Testing.synth(stack)))).toMatchSnapshot();
  });

  test('IAM bindings in key mode with secret accessors and CMEK', () => {
    const { json } = synthGcp(
      {
        gcp: {
          ...GCP_BASE,
          kmsKeyName: 'projects/acme-data-prod/locations/europe-west1/keyRings/airflow/cryptoKeys/xcoms',
          identity: { mode: 'key', secretAccessors: ['serviceAccount:composer@acme-data-prod.iam.gserviceaccount.com'] },
        },
      },
      'prod',
    );
    expect(iamOf(json)).toMatchSnapshot();
  });
});
