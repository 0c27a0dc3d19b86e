/**
 * The ABAC condition on the XCom role assignment, checked against what Airflow's Azure filesystem
 * library (adlfs) calls (read in adlfs `spec.py`; the role's actions are in `./permissions`):
 * - `mkdir(parents=True)` -> `_container_exists` -> Get Container Properties. Authorized by the
 *   control-plane action `containers/read` of the role: a condition on blob data actions does not touch it.
 * - `exists(key)` -> Get Blob Properties (`blobs/read`, attribute `blobs:path`), then List Blobs with
 *   `name_starts_with=<key>/` (`blobs/read` with sub-operation `Blob.List`, attribute `@Request blobs:prefix`).
 * - write -> Put Blob, or Put Block + Put Block List (`blobs/write`).
 * - read -> Get Blob (`blobs/read`). purge -> `exists` then Delete Blob (`blobs/delete`).
 * A List Blobs call carries no blob path, so the path rule cannot cover it: listing is allowed only when
 * the request's prefix starts with `<prefix>/`; a listing without a prefix (the whole container) is denied.
 */
import { BLOB_DATA_ACTIONS } from './permissions';

const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

/** Data actions whose target blob must lie under the prefix (`@Resource[...blobs:path]`): every data action of the role. */
export const PATH_SCOPED_DATA_ACTIONS = BLOB_DATA_ACTIONS;

export const CONDITION_VERSION = '2.0';

function quote(value: string): string {
  // ABAC string literals are single-quoted; the prefix schema allows no quote, this keeps it that way.
  if (/['\\]/.test(value)) throw new Error(`cannot put ${JSON.stringify(value)} into an ABAC condition`);
  return `'${value}'`;
}

/**
 * The condition for a prefix (without slashes at either end). Two clauses, both must hold:
 * 1. every blob read (except listing), write, append, delete and rename targets `<prefix>/...`;
 * 2. every listing asks for a prefix that starts with `<prefix>/`.
 */
export function prefixCondition(prefix: string): string {
  if (prefix === '') throw new Error('a dedicated container needs no condition');
  const scoped = quote(`${prefix}/`);
  const actions = PATH_SCOPED_DATA_ACTIONS.map((action) =>
    action === `${BLOBS}/read`
      ? `  !(ActionMatches{'${action}'} AND NOT SubOperationMatches{'Blob.List'})`
      : `  !(ActionMatches{'${action}'})`,
  ).join('\n  AND\n');
  return [
    '(',
    ' (',
    actions,
    ' )',
    ' OR',
    ' (',
    `  @Resource[${BLOBS}:path] StringStartsWith ${scoped}`,
    ' )',
    ')',
    'AND',
    '(',
    ' (',
    `  !(ActionMatches{'${BLOBS}/read'} AND SubOperationMatches{'Blob.List'})`,
    ' )',
    ' OR',
    ' (',
    `  @Request[${BLOBS}:prefix] StringStartsWith ${scoped}`,
    ' )',
    ')',
  ].join('\n');
}
