/**
 * The ABAC condition, evaluated against the requests adlfs sends for an XCom push, read and purge
 * (read in adlfs spec.py: _container_exists, _exists/_dir_exists, _pipe_file, _cat_file, _rm).
 */
import { prefixCondition } from '../../lib/azure/abac';
import { AZURE_BASE, only, synthAzure } from '../terraform/fixtures';
import { BlobRequest, blobOp, compileCondition, containerOp, listBlobs, roleAllows } from './abac-evaluator';

function xcomRoundTrip(prefix: string): BlobRequest[] {
  // Blob paths exclude the container name (`blobs:path`), like adlfs's split_path.
  const key = `${prefix}/example_dag/manual__2026-01-01/push/0b6c5a.json`;
  return [
    containerOp('mkdir(parent): get container properties', 'read'),
    blobOp('exists(key): get blob properties', 'read', key),
    listBlobs('exists(key): list name_starts_with=<key>/', `${key}/`),
    blobOp('write: put blob / put block / put block list', 'write', key),
    blobOp('write: append block', 'add/action', key),
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
  blobOp('append outside the prefix', 'add/action', 'exports/log'),
  blobOp('delete outside the prefix', 'delete', 'exports/data.csv'),
  blobOp('rename from outside the prefix', 'move/action', 'exports/data.csv'),
];

describe('ABAC condition for the Azure XCom identity', () => {
  const condition = prefixCondition('xcom');

  test('parses as a condition of the supported grammar', () => {
    expect(() => compileCondition(condition)).not.toThrow();
  });

  test('allows every request adlfs sends for an XCom round trip', () => {
    expect(xcomRoundTrip('xcom').filter((r) => !roleAllows(condition, r)).map((r) => r.call)).toEqual([]);
  });

  test('denies listings without a prefix or outside it, and blob operations outside the prefix', () => {
    expect(OUTSIDE.filter((r) => roleAllows(condition, r)).map((r) => r.call)).toEqual([]);
  });

  test('a nested prefix scopes to that prefix only', () => {
    const nested = prefixCondition('airflow/xcom');
    expect(xcomRoundTrip('airflow/xcom').filter((r) => !roleAllows(nested, r))).toEqual([]);
    expect(roleAllows(nested, blobOp('sibling', 'read', 'airflow/other/x'))).toBe(false);
    expect(roleAllows(nested, listBlobs('parent', 'airflow/'))).toBe(false);
  });

  test('without the condition the same role would allow the whole container (why the condition matters)', () => {
    expect(OUTSIDE.every((r) => roleAllows(undefined, r))).toBe(true);
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
