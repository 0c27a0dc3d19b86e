/**
 * The Azure identity's custom role and ABAC condition, evaluated against the requests adlfs sends for an
 * XCom push, read and purge (read in adlfs spec.py: _container_exists, _exists/_dir_exists, _pipe_file,
 * _cat_file, _rm/_rm_files). The role is taken from the synthesized stack, not from the source constants.
 */
import { prefixCondition } from '../../lib/azure/abac';
import { NEVER_GRANTED } from '../../lib/azure/permissions';
import { AZURE_BASE, only, synthAzure } from '../terraform/fixtures';
import {
  BLOB_DATA_CONTRIBUTOR_DEFINITION,
  BlobRequest,
  blobOp,
  compileCondition,
  containerOp,
  listBlobs,
  RolePermissions,
  roleAllows,
  userDelegationKey,
} from './abac-evaluator';

/** The custom role of a synthesized stack, checked to be the one the assignment uses. */
function synthesizedRole(json: any): RolePermissions {
  const [[id, definition]] = Object.entries(json.resource.azurerm_role_definition) as [string, any][];
  const assignment = only(json, 'azurerm_role_assignment');
  expect(assignment.role_definition_id).toBe(`\${azurerm_role_definition.${id}.role_definition_resource_id}`);
  expect(assignment.role_definition_name).toBeUndefined();
  expect(definition.permissions).toHaveLength(1);
  const [p] = definition.permissions;
  expect(p.not_actions ?? []).toEqual([]);
  expect(p.not_data_actions ?? []).toEqual([]);
  return { actions: p.actions, dataActions: p.data_actions };
}

function xcomRoundTrip(prefix: string): BlobRequest[] {
  // Blob paths exclude the container name (`blobs:path`), like adlfs's split_path.
  const key = `${prefix === '' ? '' : `${prefix}/`}example_dag/manual__2026-01-01/push/0b6c5a.json`;
  return [
    containerOp('mkdir(parent): get container properties', 'read'),
    blobOp('exists(key): get blob properties', 'read', key),
    listBlobs('exists(key): list name_starts_with=<key>/', `${key}/`),
    blobOp('write: put blob / put block / put block list', 'write', key),
    blobOp('read: get blob', 'read', key),
    blobOp('unlink: delete blob', 'delete', key),
  ];
}

const OUTSIDE: BlobRequest[] = [
  listBlobs('list the whole container (no prefix)', undefined),
  listBlobs('list a sibling prefix', 'exports/'),
  listBlobs('list a look-alike prefix', 'xcom-old/'),
  listBlobs('list a prefix shorter than the folder', 'xco'),
  blobOp('read outside the prefix', 'read', 'exports/data.csv'),
  blobOp('write a look-alike name', 'write', 'xcom-old/x.json'),
  blobOp('delete outside the prefix', 'delete', 'exports/data.csv'),
];

/** What the built-in Storage Blob Data Contributor would also allow, whatever the condition. */
const CONTAINER_CHANGES: BlobRequest[] = [
  containerOp('delete the container (every prefix in it)', 'delete'),
  containerOp('create the container, set its metadata, lease or restore it', 'write'),
  containerOp('change the container ACL', 'setAcl/action'),
  userDelegationKey('get a user delegation key (mint SAS tokens the condition does not see)'),
  blobOp('append block / create-only put under the prefix', 'add/action', 'xcom/x.json'),
  blobOp('rename under the prefix', 'move/action', 'xcom/x.json'),
];

describe('custom role of the Azure XCom identity', () => {
  const { json } = synthAzure({ azure: AZURE_BASE });
  const role = synthesizedRole(json);
  const condition = only(json, 'azurerm_role_assignment').condition as string;

  test('holds exactly containers/read and blob read, write and delete', () => {
    expect(role.actions).toEqual(['Microsoft.Storage/storageAccounts/blobServices/containers/read']);
    expect([...role.dataActions].sort()).toEqual([
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
    ]);
    expect([...role.actions, ...role.dataActions].filter((a) => (NEVER_GRANTED as readonly string[]).includes(a))).toEqual([]);
    expect([...role.actions, ...role.dataActions].some((a) => a.includes('*'))).toBe(false);
  });

  test('allows every request adlfs sends for an XCom round trip', () => {
    expect(xcomRoundTrip('xcom').filter((r) => !roleAllows(role, condition, r)).map((r) => r.call)).toEqual([]);
  });

  test('denies listings without a prefix or outside it, and blob operations outside the prefix', () => {
    expect(OUTSIDE.filter((r) => roleAllows(role, condition, r)).map((r) => r.call)).toEqual([]);
  });

  test('denies every container change, delegation keys, appends and renames, which Storage Blob Data Contributor allows', () => {
    expect(CONTAINER_CHANGES.filter((r) => roleAllows(role, condition, r)).map((r) => r.call)).toEqual([]);
    // The condition would not have stopped the control-plane ones: that is why the role is custom.
    const builtIn = CONTAINER_CHANGES.filter((r) => roleAllows(BLOB_DATA_CONTRIBUTOR_DEFINITION, prefixCondition('xcom'), r)).map((r) => r.call);
    expect(builtIn).toEqual(expect.arrayContaining([CONTAINER_CHANGES[0].call, CONTAINER_CHANGES[1].call, CONTAINER_CHANGES[3].call]));
  });

  test('a dedicated container: the same role without a condition covers the round trip, and still no container change', () => {
    const dedicated = synthAzure({ azure: AZURE_BASE, xcom: { prefix: '', dedicatedBucket: true } }).json;
    const dedicatedRole = synthesizedRole(dedicated);
    expect(only(dedicated, 'azurerm_role_assignment').condition).toBeUndefined();
    expect(xcomRoundTrip('').filter((r) => !roleAllows(dedicatedRole, undefined, r))).toEqual([]);
    expect(CONTAINER_CHANGES.filter((r) => roleAllows(dedicatedRole, undefined, r)).map((r) => r.call)).toEqual([]);
  });
});

describe('ABAC condition for the Azure XCom identity', () => {
  const condition = prefixCondition('xcom');
  const role = synthesizedRole(synthAzure({ azure: AZURE_BASE }).json);

  test('parses as a condition of the supported grammar', () => {
    expect(() => compileCondition(condition)).not.toThrow();
  });

  test('a nested prefix scopes to that prefix only', () => {
    const nested = prefixCondition('airflow/xcom');
    expect(xcomRoundTrip('airflow/xcom').filter((r) => !roleAllows(role, nested, r))).toEqual([]);
    expect(roleAllows(role, nested, blobOp('sibling', 'read', 'airflow/other/x'))).toBe(false);
    expect(roleAllows(role, nested, listBlobs('parent', 'airflow/'))).toBe(false);
  });

  test('without the condition the same role would allow the whole container (why the condition matters)', () => {
    expect(OUTSIDE.every((r) => roleAllows(role, undefined, r))).toBe(true);
  });

  test('refuses a prefix that would break out of the quoted literal', () => {
    expect(() => prefixCondition("x' OR 'a")).toThrow(/cannot put/);
    expect(() => prefixCondition('')).toThrow(/dedicated container/);
  });

  test('the synthesized role assignment carries exactly this condition, version 2.0', () => {
    const ra = only(synthAzure({ azure: AZURE_BASE }).json, 'azurerm_role_assignment');
    expect(ra.condition).toBe(condition);
    expect(ra.condition_version).toBe('2.0');
  });

  test('condition text', () => {
    expect(condition).toMatchSnapshot();
  });
});
