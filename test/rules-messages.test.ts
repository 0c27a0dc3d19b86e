/**
 * The exact words of the shared rules (lib/rules.ts): every message names the rule broken and the fix,
 * and the config and the binding print them unchanged. (test/rules.test.ts checks what is refused.)
 */
import { validateBinding } from '../lib/airflow/validate';
import { ConfigError, parseConfig } from '../lib/config';
import { compressionProblem, controlCharacterProblem, prefixProblems } from '../lib/rules';
import { modified } from './airflow/bindings';

const SEGMENT_RULE =
  'which is not allowed: each "/"-separated part must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (no empty part, no "." or "..")';

describe('prefixProblems', () => {
  test.each([
    ['/x', 'must not start or end with "/" (write "xcom" or "airflow/xcom")'],
    ['x/', 'must not start or end with "/" (write "xcom" or "airflow/xcom")'],
    ['x'.repeat(201), 'must be at most 200 characters'],
    ['a//b', `has segment "", ${SEGMENT_RULE}`],
    ['a/../b', `has segment "..", ${SEGMENT_RULE}`],
    ['ok/-x/y', `has segment "-x", ${SEGMENT_RULE}`],
    ['.', `has segment ".", ${SEGMENT_RULE}`],
  ])('%j: %s', (prefix, message) => {
    expect(prefixProblems(prefix)).toEqual([message]);
  });

  test('the empty prefix has no problem of its own (a dedicated bucket allows it)', () => {
    expect(prefixProblems('')).toEqual([]);
  });

  test('the config and the binding print the rule unchanged', () => {
    let configMessage = '';
    try {
      parseConfig({ environments: { dev: { aws: { region: 'eu-west-1' }, xcom: { prefix: '/x' } } } });
    } catch (e) {
      configMessage = (e as ConfigError).problems.join('\n');
    }
    expect(configMessage).toBe('environments.dev.xcom.prefix: "/x" is not valid: must not start or end with "/" (write "xcom" or "airflow/xcom")');
    const b = modified('aws-role', (x) => {
      x.storage.prefix = 'a//b';
      x.xcom.path = `s3://aws_xcoms@${x.storage.bucket}/a//b`;
    });
    expect(() => validateBinding(b)).toThrow(`storage.prefix: "a//b" is not valid: has segment "", ${SEGMENT_RULE}`);
  });
});

describe('compressionProblem', () => {
  const ALLOWED = 'Allowed: zip, bz2, gzip, lzma, xz, lz4, zstd, or null for none';

  test.each([
    ['gz', 'gzip'],
    ['GZ', 'gzip'],
    ['snappy', 'zstd'],
    ['bzip2', 'bz2'],
    ['zlib', 'gzip'],
  ])('%j names the codec that works: %s', (name, good) => {
    expect(compressionProblem(name)).toBe(`fsspec has no codec named "${name}"; use "${good}". ${ALLOWED}`);
  });

  test.each(['brotli', 5, true, {}, ''])('%j lists the allowed codecs, without a suggestion', (value) => {
    expect(compressionProblem(value)).toBe(ALLOWED);
  });

  test.each([null, 'zip', 'bz2', 'gzip', 'lzma', 'xz', 'lz4', 'zstd'])('%j is fine', (value) => {
    expect(compressionProblem(value)).toBeUndefined();
  });
});

describe('controlCharacterProblem', () => {
  test('names the first control character and its position, escaped', () => {
    expect(controlCharacterProblem('ab\u001bc\nd')).toBe('must not hold control characters (found \\u001b at position 2)');
    expect(controlCharacterProblem('\u2028')).toBe('must not hold control characters (found \\u2028 at position 0)');
  });
});
