/**
 * The shared rules, from lists written out here (never from the production patterns), applied the
 * same way by the environments file and by a binding.
 */
import { validateBinding } from '../lib/airflow/validate';
import { parseConfig } from '../lib/config';
import { bucketNameProblems, controlCharacterProblem, isSecretShapedKey, nearest, prefixProblems, showValue } from '../lib/rules';
import { modified } from './airflow/bindings';

const BAD_PREFIXES = ['/x', 'x/', '/', 'a//b', '..', '.', 'a/../b', '../xcom', 'a/./b', 'x y', 'a\\b', '-x', '_x', 'x/-y', 'a:b', 'x'.repeat(201)];
const GOOD_PREFIXES = ['xcom', 'airflow/xcom', 'a.b', 'a-b_c', 'x1/y2/z3', 'X', 'x'.repeat(200)];

describe('prefix', () => {
  test.each(BAD_PREFIXES)('%j is refused by the config, by a binding and by the rule', (prefix) => {
    expect(prefixProblems(prefix)).not.toEqual([]);
    expect(() => parseConfig({ environments: { dev: { xcom: { prefix } } } })).toThrow(/environments\.dev\.xcom\.prefix/);
    const b = modified('aws-role', (x) => {
      x.storage.prefix = prefix;
      x.xcom.path = `s3://aws_xcoms@${x.storage.bucket}/${prefix}`;
    });
    expect(() => validateBinding(b)).toThrow(/storage\.prefix/);
  });

  test.each(GOOD_PREFIXES)('%j is accepted by the config and by a binding', (prefix) => {
    expect(prefixProblems(prefix)).toEqual([]);
    expect(parseConfig({ environments: { dev: { xcom: { prefix } } } }).environments.dev.xcom.prefix).toBe(prefix);
    const b = modified('aws-role', (x) => {
      x.storage.prefix = prefix;
      x.xcom.path = `s3://aws_xcoms@${x.storage.bucket}/${prefix}`;
    });
    expect(validateBinding(b).storage.prefix).toBe(prefix);
  });
});

describe('bucket and container names', () => {
  const cases = {
    aws: { good: ['abc', 'my-bucket.logs', 'a'.repeat(63), '1bucket'], bad: ['ab', 'a'.repeat(64), 'Upper', '../etc', 'a..b', 'a.-b', '-ab', 'ab-', '10.0.0.1', 'xn--ab', 'sthree-x', 'b-s3alias', 'b--ol-s3', 'b.mrap', 'a_b'] },
    gcp: { good: ['abc', 'my_bucket-1', 'a'.repeat(63)], bad: ['ab', 'a'.repeat(64), 'Upper', '../etc', '-ab', 'ab_', 'goog-x', 'my-google-b', 'g00gle', 'a.b'] },
    azure: { good: ['abc', 'my-container', 'a1b2', 'a'.repeat(63)], bad: ['ab', 'a'.repeat(64), 'Upper', 'a--b', '-ab', 'ab-', 'a_b', '../etc', 'a.b'] },
  } as const;
  const fixtureOf = { aws: 'aws-role', gcp: 'gcp-workload-identity', azure: 'azure-workload-identity' } as const;
  const scheme = { aws: 's3', gcp: 'gs', azure: 'abfs' } as const;

  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    test.each(cases[cloud].bad)(`${cloud}: %j is refused, in a binding too`, (name) => {
      expect(bucketNameProblems(cloud, name)).not.toEqual([]);
      const b = modified(fixtureOf[cloud], (x) => {
        x.storage.bucket = name;
        x.xcom.path = `${scheme[cloud]}://${x.connection.id}@${name}/xcom`;
      });
      expect(() => validateBinding(b)).toThrow(/storage\.bucket: .*is not valid: is not a valid/);
    });
    test.each(cases[cloud].good)(`${cloud}: %j is accepted`, (name) => {
      expect(bucketNameProblems(cloud, name)).toEqual([]);
    });
  }

  test('a bucket of "../etc" is refused for its name, not for a path mismatch', () => {
    const b = modified('aws-role', (x) => {
      x.storage.bucket = '../etc';
      x.xcom.path = 's3://aws_xcoms@../etc/xcom';
    });
    expect(() => validateBinding(b)).toThrow(/storage\.bucket: "\.\.\/etc" is not valid: is not a valid S3 bucket name/);
  });
});

describe('binding fields follow the config rules', () => {
  test.each([
    ['environment', (x: any) => (x.environment = 'Prod'), /environment: "Prod" is not valid: must be 1-20 lower-case/],
    ['storage.region', (x: any) => (x.storage.region = 'mars-1'), /storage\.region: "mars-1" is not valid: must be an AWS region/],
    ['connection.id', (x: any) => (x.connection.id = 'a-b'), /connection\.id: "a-b" is not valid: must start with a letter/],
    ['kubernetes service account', (x: any) => (x.identity.kubernetesServiceAccounts = [{ namespace: 'Airflow', serviceAccount: 'w' }]), /kubernetesServiceAccounts\.0\.namespace: "Airflow" is not valid/],
    ['connections prefix', (x: any) => (x.identity.secret.connectionsPrefix = 'a b'), /identity\.secret\.connectionsPrefix: "a b" is not valid: must hold only letters/],
    ['extra key', (x: any) => (x.connection.extra['a b'] = 'x'), /connection\.extra/],
  ])('%s', (_, change, message) => {
    const base = _ === 'connections prefix' ? 'aws-user' : 'aws-role';
    expect(() => validateBinding(modified(base, change))).toThrow(message);
  });
});

describe('control characters', () => {
  test.each(['\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029'])('%j is refused and named escaped', (c) => {
    const problem = controlCharacterProblem(`a${c}b`);
    expect(problem).toMatch(/must not hold control characters \(found \\u[0-9a-f]{4} at position 1\)/);
    expect(problem).not.toContain(c);
  });

  test('plain text passes', () => {
    expect(controlCharacterProblem('a b/c-d_e.f:g@h')).toBeUndefined();
  });

  test('messages show values without raw control characters', () => {
    expect(showValue('a\nb\u0085\u009b\u2028')).toBe('"a\\nb\\u0085\\u009b\\u2028"');
    expect(showValue(undefined)).toBe('missing');
    expect(showValue('x'.repeat(100))).toHaveLength(80);
  });
});

describe('secret-shaped connection extras', () => {
  test.each(['password', 'account_key', 'keyfile_dict', 'sas_token', 'connection_string', 'client_secret', 'aws_secret_access_key', 'aws_session_token', 'private_key', 'api_key', 'key', 'Password'])(
    '%s is a credential',
    (k) => expect(isSecretShapedKey(k)).toBe(true),
  );
  test.each(['region_name', 'role_arn', 'project', 'account_name', 'key_path', 'key_secret_name', 'workload_identity_client_id', 'endpoint_url', 'account_host', 'tenant_id'])(
    '%s is not',
    (k) => expect(isSecretShapedKey(k)).toBe(false),
  );
});

describe('nearest', () => {
  test('suggests a close known name and nothing for a far one', () => {
    expect(nearest('bucket_name', ['bucketName', 'region'])).toBe('bucketName');
    expect(nearest('regoin', ['region', 'account'])).toBe('region');
    expect(nearest('Prod', ['dev', 'prod'])).toBe('prod');
    expect(nearest('zzzzzz', ['region', 'account'])).toBeUndefined();
  });
});

describe('one rule module', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const imports = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);

  test('lib/rules.ts depends on nothing in the project', () => {
    expect(imports('lib/rules.ts').filter((i) => i.startsWith('.'))).toEqual([]);
  });

  test('lib/binding.ts depends only on the two leaf modules: the binding constants and the Airflow and cloud rules', () => {
    expect([...new Set(imports('lib/binding.ts').filter((i) => i.startsWith('.')))].sort()).toEqual(['./binding-core', './rules']);
    expect(imports('lib/binding-core.ts').filter((i) => i.startsWith('.'))).toEqual([]);
  });

  test('the binding and the binding checks use it, not lib/config', () => {
    for (const file of ['lib/binding.ts', 'lib/airflow/validate.ts', 'lib/airflow/settings.ts', 'lib/airflow/comments.ts']) {
      expect(imports(file).filter((i) => i.includes('config'))).toEqual([]);
    }
    expect(imports('lib/binding.ts')).toContain('./rules');
    expect(imports('lib/airflow/validate.ts')).toContain('../rules');
    expect(imports('lib/config/common.ts')).toContain('../rules');
  });
});
