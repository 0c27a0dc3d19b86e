/**
 * The XCom key prefix rule the constructs check (the environments file checks the same through its
 * schema): no slash at either end, no empty, "." or ".." segment, characters safe in every cloud's
 * object names. The empty prefix means a dedicated bucket.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Problems with `prefix`, as sentences; empty when it is fine. */
export function checkPrefix(prefix: string): string[] {
  if (prefix === '') return [];
  if (prefix.startsWith('/') || prefix.endsWith('/')) return ['must not start or end with "/" (write "xcom" or "airflow/xcom")'];
  if (prefix.length > 200) return ['must be at most 200 characters'];
  const bad = prefix.split('/').find((s) => !SEGMENT.test(s) || s === '..' || s === '.');
  return bad === undefined ? [] : [`segment "${bad}" is not allowed: each "/"-separated part must start with a letter or digit and hold only letters, digits, ".", "_" and "-"`];
}
