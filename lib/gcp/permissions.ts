/**
 * Exactly what Airflow's GCS filesystem library (gcsfs) calls on the XCom write, read and purge paths,
 * as IAM permissions. Read in gcsfs `core.py`:
 * - `ObjectStoragePath.exists()` -> `_info(key)`: GET object (`storage.objects.get`) in parallel with a
 *   list of `prefix=<key>/`, `maxResults=1` (`storage.objects.list`); on a 403 for the GET it falls
 *   back to a list of `prefix=<key>`.
 * - `parent.mkdir(parents=True, exist_ok=True)` -> `_mkdir` -> `_exists(<bucket>)` -> `_info(<bucket>)`:
 *   GET bucket (`storage.buckets.get`); on any error it lists the whole bucket (no prefix); if that is
 *   denied too, `mkdir` POSTs a new bucket (`storage.buckets.create`) and the write fails with 403.
 * - open for write -> JSON API simple or resumable upload (`storage.objects.create`; replacing an
 *   existing name also needs `storage.objects.delete`).
 * - read -> GET object media (`storage.objects.get`).
 * - `unlink(missing_ok=True)` -> `exists()` as above, then a batch DELETE (`storage.objects.delete`).
 */

/** Bucket-level, granted on the bucket: only the metadata read that keeps gcsfs from trying to create it. */
export const BUCKET_METADATA_PERMISSIONS = ['storage.buckets.get'] as const;

/** Object-level, granted on the managed folder `<prefix>/` (or the bucket when it is dedicated). */
export const OBJECT_PERMISSIONS = [
  'storage.objects.create',
  'storage.objects.delete',
  'storage.objects.get',
  'storage.objects.list',
] as const;

/** Permissions the identity must never hold, checked by the tests against everything granted. */
export const NEVER_GRANTED = [
  'storage.buckets.create',
  'storage.buckets.delete',
  'storage.buckets.update',
  'storage.buckets.setIamPolicy',
  'storage.objects.update',
  'storage.objects.setIamPolicy',
  'storage.managedFolders.setIamPolicy',
  'storage.managedFolders.delete',
] as const;

/** Lets a Kubernetes service account act as the Google service account (GKE Workload Identity). */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';
/** Lets whatever Airflow reads secrets as read the key-mode connection secret. */
export const SECRET_ACCESSOR_ROLE = 'roles/secretmanager.secretAccessor';
/** Lets the Cloud Storage service agent use the customer-managed key. */
export const KMS_ENCRYPTER_DECRYPTER_ROLE = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';
