/**
 * The Azure deny list the kit exports (`NEVER_GRANTED`, checked against the synthesized role in
 * abac.test.ts), written out here: an action dropped from it by mistake would let that check pass a
 * role that deletes or re-creates the container, mints SAS tokens, reads the account keys or bypasses
 * immutability. And the custom role's name, which must be unique per container in the tenant.
 */
import { NEVER_GRANTED, xcomRoleName } from '../../lib/azure/permissions';

test('the exported deny list names every container change, delegation key, rename, version or tag change and the account keys', () => {
  const blob = 'Microsoft.Storage/storageAccounts/blobServices';
  expect([...NEVER_GRANTED].sort()).toEqual(
    [
      `${blob}/containers/write`,
      `${blob}/containers/delete`,
      `${blob}/generateUserDelegationKey/action`,
      `${blob}/containers/setAcl/action`,
      `${blob}/containers/blobs/move/action`,
      `${blob}/containers/blobs/permanentDelete/action`,
      `${blob}/containers/blobs/deleteBlobVersion/action`,
      `${blob}/containers/blobs/tags/write`,
      `${blob}/containers/blobs/immutableStorage/runAsSuperUser/action`,
      'Microsoft.Storage/storageAccounts/listKeys/action',
    ].sort(),
  );
});

test('the custom role is named after its account and container, so two containers never share one', () => {
  expect(xcomRoleName('xcomsdev', 'xcoms')).toBe('Airflow XComs blob access (xcomsdev/xcoms)');
  expect(xcomRoleName('a', 'b')).not.toBe(xcomRoleName('a', 'c'));
});
