/**
 * The GCS deny list the kit exports (`NEVER_GRANTED`, for users who check their own grants against it),
 * written out here: a permission dropped from it by mistake would let a user's check pass a grant that
 * changes the bucket, its IAM policy, an object's ACL or the managed folder.
 */
import { NEVER_GRANTED } from '../../lib/gcp/permissions';

test('the exported deny list names every bucket, policy, ACL and managed-folder change', () => {
  expect([...NEVER_GRANTED].sort()).toEqual(
    [
      'storage.buckets.create',
      'storage.buckets.delete',
      'storage.buckets.update',
      'storage.buckets.setIamPolicy',
      'storage.objects.update',
      'storage.objects.setIamPolicy',
      'storage.managedFolders.setIamPolicy',
      'storage.managedFolders.delete',
    ].sort(),
  );
});
