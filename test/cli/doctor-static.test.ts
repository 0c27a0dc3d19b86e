import { parseDotenv, staticChecks } from '../../lib/cli/doctor';
import { Check } from '../../lib/cli/doctor/types';

const STOCK = 'airflow.providers.common.io.xcom.backend.XComObjectStorageBackend';
const GOOD: Record<string, string> = {
  AIRFLOW__CORE__XCOM_BACKEND: STOCK,
  AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: 's3://aws_xcoms@my-bucket/xcom',
  AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD: '1024',
  AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION: 'gzip',
  AIRFLOW_CONN_AWS_XCOMS: JSON.stringify({ conn_type: 'aws', extra: { region_name: 'eu-west-1' } }),
};

const check = (vars: Record<string, string>, id: string): Check => {
  const found = staticChecks(vars).checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
const without = (vars: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(vars).filter(([k]) => !names.includes(k)));

describe('doctor static checks', () => {
  test('the settings xcomkit env writes pass every static check', () => {
    const { checks } = staticChecks(GOOD);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['names', 'pass'],
      ['backend', 'pass'],
      ['path', 'pass'],
      ['threshold', 'pass'],
      ['compression', 'pass'],
      ['connection', 'pass'],
    ]);
  });

  describe('names', () => {
    test('fails on a variable Airflow ignores, naming the right one', () => {
      const vars = { ...without(GOOD, 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION'), AIRFLOW_COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION: 'gzip' };
      const c = check(vars, 'names');
      expect(c.status).toBe('fail');
      expect(c.detail).toContain('AIRFLOW_COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION is ignored by Airflow; rename it to AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION');
    });

    test('fails on an unknown option of [common.io] and on a lower-case connection variable', () => {
      expect(check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATHS: 'x' }, 'names').detail).toContain('rename it to AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH');
      expect(check({ ...GOOD, AIRFLOW_CONN_aws_xcoms: '{}' }, 'names').detail).toContain('rename it to AIRFLOW_CONN_AWS_XCOMS');
    });

    test('fails when the backend or the path is not set; ignores unrelated Airflow options', () => {
      expect(check(without(GOOD, 'AIRFLOW__CORE__XCOM_BACKEND'), 'names').detail).toContain('AIRFLOW__CORE__XCOM_BACKEND is not set');
      expect(check({ ...GOOD, AIRFLOW__CORE__DAGS_FOLDER: '/dags', AIRFLOW_HOME: '/opt/airflow' }, 'names').status).toBe('pass');
    });
  });

  describe('path', () => {
    test.each([
      ['wasb://azure_xcoms@c/xcom', 'not registered', 'use abfs://azure_xcoms@c/xcom'],
      ['s3://my-bucket/xcom', 'names no connection', 's3://<conn_id>@my-bucket/xcom'],
      ['file://relative/dir', 'relative', 'file:///<absolute dir>'],
      ['s3://aws_xcoms@/xcom', 'no bucket', '<bucket>'],
      ['s3://aws_xcoms@b/../x', '".."', "stack's prefix"],
    ])('%s fails with the fix', (value, detail, fix) => {
      const c = check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: value }, 'path');
      expect(c).toMatchObject({ status: 'fail', detail: expect.stringContaining(detail), fix: expect.stringContaining(fix) });
    });

    test('accepts gs://, abfs:// and an absolute file:/// path', () => {
      for (const value of ['gs://gcp_xcoms@b/xcom', 'abfs://azure_xcoms@c/xcom', 'file:///srv/airflow/xcoms']) {
        expect(check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH: value }, 'path').status).toBe('pass');
      }
    });
  });

  describe('threshold and compression', () => {
    test('a threshold Airflow cannot read as an integer fails', () => {
      expect(check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD: '1k' }, 'threshold')).toMatchObject({ status: 'fail', fix: expect.stringContaining('1024') });
      expect(check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD: '-2' }, 'threshold').status).toBe('fail');
      expect(check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD: '-1' }, 'threshold').detail).toContain('stays in the database');
    });

    test.each([
      ['gz', 'use "gzip"'],
      ['snappy', 'use "zstd"'],
      ['brotli', 'use one of zip, bz2, gzip, lzma, xz, lz4, zstd, or unset it for none'],
    ])('codec %s is not in fsspec: fails with %s', (codec, fix) => {
      expect(check({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION: codec }, 'compression')).toMatchObject({ status: 'fail', fix });
    });

    test('lz4 passes statically and is checked in the interpreter', () => {
      const { checks, plan } = staticChecks({ ...GOOD, AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION: 'lz4' });
      expect(checks.find((c) => c.id === 'compression')!.detail).toContain('checked with --python');
      expect(plan.compression).toBe('lz4');
      expect(plan.modules).toContainEqual({ package: 'lz4', module: 'lz4.frame' });
    });
  });

  describe('connection', () => {
    test('missing connection without a secrets backend fails', () => {
      const c = check(without(GOOD, 'AIRFLOW_CONN_AWS_XCOMS'), 'connection');
      expect(c).toMatchObject({ status: 'fail', detail: expect.stringContaining('missing connection'), fix: expect.stringContaining('AIRFLOW_CONN_AWS_XCOMS') });
    });

    test('a connection of the wrong type, broken JSON or no conn_type fails', () => {
      const typed = (v: string) => check({ ...GOOD, AIRFLOW_CONN_AWS_XCOMS: v }, 'connection');
      expect(typed('{"conn_type":"google_cloud_platform"}')).toMatchObject({ status: 'fail', fix: 'set conn_type to "aws"' });
      expect(typed('{"conn_type":')).toMatchObject({ status: 'fail', detail: expect.stringContaining('not valid JSON') });
      expect(typed('{"extra":{}}')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no conn_type') });
      expect(typed('aws://AKIA:secret@')).toMatchObject({ status: 'pass' });
    });

    test('with a secrets backend the connection is left to the live check; the backend settings are checked', () => {
      const vars = {
        ...without(GOOD, 'AIRFLOW_CONN_AWS_XCOMS'),
        AIRFLOW__SECRETS__BACKEND: 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
        AIRFLOW__SECRETS__BACKEND_KWARGS: '{"connections_prefix":"airflow/dev/connections"}',
      };
      expect(check(vars, 'connection').status).toBe('pass');
      expect(check(vars, 'secrets-backend').status).toBe('pass');
      expect(check({ ...vars, AIRFLOW__SECRETS__BACKEND_KWARGS: '{"connections_prefix":' }, 'secrets-backend').detail).toContain('not JSON');
      expect(check({ ...vars, AIRFLOW__SECRETS__BACKEND_KWARGS: '{}' }, 'secrets-backend').detail).toContain('no connections_prefix');
      expect(check({ ...vars, AIRFLOW__SECRETS__BACKEND: 'airflow.providers.amazon.aws.secrets.secret_manager.SecretsManagerBackend' }, 'secrets-backend').fix).toBe(
        'use airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
      );
    });
  });

  describe('backend', () => {
    test('a misspelt stock backend fails with the right class; a custom one passes statically', () => {
      expect(check({ ...GOOD, AIRFLOW__CORE__XCOM_BACKEND: 'airflow.providers.common.io.xcom.backend.XComObjectStoreBackend' }, 'backend')).toMatchObject({ status: 'fail', fix: `use ${STOCK}` });
      expect(check({ ...GOOD, AIRFLOW__CORE__XCOM_BACKEND: 'my_company.xcom.Backend' }, 'backend').status).toBe('pass');
      expect(check({ ...GOOD, AIRFLOW__CORE__XCOM_BACKEND: 'not a path' }, 'backend').status).toBe('fail');
    });

    test('the runtime backend adds its package to the import plan', () => {
      const { plan } = staticChecks({ ...GOOD, AIRFLOW__CORE__XCOM_BACKEND: 'airflow_xcomkit.backend.XComKitBackend' });
      expect(plan.modules.map((m) => m.module)).toEqual(['airflow.providers.common.io.xcom.backend', 'airflow.providers.amazon.aws.fs.s3', 's3fs', 'airflow_xcomkit.backend']);
    });
  });
});

describe('parseDotenv', () => {
  test('reads what xcomkit writes and what people type', () => {
    const text = ["# comment", "A='{\"x\": 1}'", 'export B="two words"', 'C=plain # trailing comment', '', "D=''"].join('\n');
    expect(parseDotenv(text, 'f.env')).toEqual({ A: '{"x": 1}', B: 'two words', C: 'plain', D: '' });
  });

  test('names the file and line of a line it cannot read', () => {
    expect(() => parseDotenv('A=1\nnot a line\n', 'f.env')).toThrow(/f\.env:2: not a KEY=value line/);
    expect(() => parseDotenv("A='open\n", 'f.env')).toThrow(/f\.env:1: unterminated single quote in A/);
  });
});
