/**
 * The Azure RBAC actions of the kit's custom role: exactly what Airflow's Azure filesystem library
 * (adlfs) needs on the XCom write, read and purge paths, traced to the Blob service operations it calls
 * (read in adlfs `spec.py`; operation -> action from Azure's "Permissions for Blob service operations"):
 * - `mkdir(parents=True)` -> `_container_exists` -> Get Container Properties: `containers/read`.
 * - `exists(key)` -> Get Blob Properties, then List Blobs `name_starts_with=<key>/`: `blobs/read`
 *   (List Blobs is `blobs/read` with the sub-operation `Blob.List`; Azure has no separate list action).
 * - write -> Put Blob, or Put Block + Put Block List: `blobs/write` (create or replace; the narrower
 *   `blobs/add/action` creates only new blobs and does not cover Put Block List).
 * - read -> Get Blob: `blobs/read`.
 * - `unlink` -> `exists`, then one Delete Blob per file (adlfs `_rm_files` calls `delete_blob`, not the
 *   Blob Batch API, whose parent request would need `containers/write`): `blobs/delete`.
 *
 * Left out on purpose, although "Storage Blob Data Contributor" has them: `containers/write` (create,
 * set metadata, lease, restore the container), `containers/delete` (delete the container and every
 * prefix in it), `generateUserDelegationKey/action` (mint user-delegation SAS tokens, which the role
 * assignment's ABAC condition does not constrain), `blobs/add/action` (covered by `blobs/write`) and
 * `blobs/move/action` (renames on hierarchical-namespace accounts; the kit's account has none).
 */

const BLOB_SERVICE = 'Microsoft.Storage/storageAccounts/blobServices';

/** Control-plane actions of the role (not narrowed by an ABAC condition, so kept to a read). */
export const CONTAINER_ACTIONS = [`${BLOB_SERVICE}/containers/read`] as const;

/** Data actions of the role; the ABAC condition confines each of them to the prefix. */
export const BLOB_DATA_ACTIONS = [
  `${BLOB_SERVICE}/containers/blobs/read`,
  `${BLOB_SERVICE}/containers/blobs/write`,
  `${BLOB_SERVICE}/containers/blobs/delete`,
] as const;

/** Actions the identity must never hold, checked by the tests against the synthesized role. */
export const NEVER_GRANTED = [
  `${BLOB_SERVICE}/containers/write`,
  `${BLOB_SERVICE}/containers/delete`,
  `${BLOB_SERVICE}/generateUserDelegationKey/action`,
  `${BLOB_SERVICE}/containers/setAcl/action`,
  `${BLOB_SERVICE}/containers/blobs/move/action`,
  `${BLOB_SERVICE}/containers/blobs/permanentDelete/action`,
  `${BLOB_SERVICE}/containers/blobs/deleteBlobVersion/action`,
  `${BLOB_SERVICE}/containers/blobs/tags/write`,
  `${BLOB_SERVICE}/containers/blobs/immutableStorage/runAsSuperUser/action`,
  'Microsoft.Storage/storageAccounts/listKeys/action',
] as const;

/** Name of the custom role of one container: role names are unique per tenant, account names globally. */
export function xcomRoleName(storageAccountName: string, containerName: string): string {
  return `Airflow XComs blob access (${storageAccountName}/${containerName})`;
}
