/**
 * One describer for the environments file and the Airflow binding (lib/issues.ts): the same mistake
 * reads the same in both, each sentence names the field, the value and the fix, and near misses get
 * a "did you mean".
 */
import { z } from 'zod';
import { AirflowSettingsError } from '../lib/airflow/errors';
import { validateBinding } from '../lib/airflow/validate';
import { describeIssues, didYouMean, invalidValueProblem } from '../lib/issues';
import { modified } from './airflow/bindings';
import { configProblems } from './config/problems';

function bindingProblems(binding: unknown): readonly string[] {
  try {
    validateBinding(binding);
  } catch (e) {
    expect(e).toBeInstanceOf(AirflowSettingsError);
    return (e as AirflowSettingsError).problems;
  }
  throw new Error('expected an AirflowSettingsError');
}

function issuesOf(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) throw new Error('expected the value to be refused');
  return result.error;
}

describe('one describer for the config and the binding', () => {
  test.each([
    ['a bad prefix', { prefix: '../xcom' }, (x: any): void => void (x.storage.prefix = '../xcom'), 'prefix'],
    ['a bad compression', { compression: 'gz' }, (x: any): void => void (x.xcom.compression = 'gz'), 'compression'],
    ['a bad threshold', { threshold: -2 }, (x: any): void => void (x.xcom.threshold = -2), 'threshold'],
  ] as const)('%s reads the same after the field name in both documents', (_what, xcom, change, field) => {
    const fromConfig = configProblems({ environments: { dev: { aws: { region: 'eu-west-1' }, xcom } } });
    const fromBinding = bindingProblems(modified('aws-user', change));
    expect(fromConfig).toHaveLength(1);
    const sentence = fromConfig[0].replace(/^environments\.dev\.xcom\.[a-z]+: /, '');
    expect(sentence).toMatch(/ is not valid: /);
    expect(fromBinding.find((p) => p.includes(`.${field}: `))?.replace(/^[a-z]+\.[a-z]+: /, '')).toBe(sentence);
  });

  test('an unknown binding field gets the nearest known one, like a config field', () => {
    expect(bindingProblems(modified('aws-user', (x) => (x.storage.prefx = 'xcom')))).toEqual([
      'storage: unknown field "prefx"; did you mean "prefix"? (see docs/cli.md)',
    ]);
    expect(configProblems({ environments: { dev: { aws: { region: 'eu-west-1' }, xcom: { prefx: 'xcom' } } } })).toEqual([
      'environments.dev.xcom: unknown field "prefx"; did you mean "prefix"? (see docs/configuration.md)',
    ]);
  });

  test('an unknown top-level binding field names the binding, and far misses list the known fields', () => {
    const [problem] = bindingProblems(modified('aws-user', (x) => (x.zzzzzzzzzz = 1)));
    expect(problem).toBe('the binding: unknown field "zzzzzzzzzz"; known fields here: schemaVersion, cloud, environment, storage, xcom, connection, identity (see docs/cli.md)');
  });

  test('a missing binding field is a sentence that says to add it', () => {
    expect(bindingProblems(modified('aws-user', (x) => delete x.storage.region))).toEqual(['storage.region is required but missing: add it (expected string)']);
  });

  test('a value outside a list gets the nearest allowed one', () => {
    expect(bindingProblems(modified('aws-user', (x) => (x.identity.mode = 'usr')))[0]).toBe(
      'identity.mode: "usr" is not valid: Invalid option: expected one of "user"|"role"|"workload-identity"|"key"|"existing"; did you mean "user"?',
    );
    expect(bindingProblems(modified('aws-user', (x) => (x.cloud = 'azur')))).toEqual(['cloud: "azur" is not valid: must be one of aws, gcp, azure; did you mean "azure"?']);
  });

  test('a bad record key is named as a key under its parent in both documents', () => {
    expect(bindingProblems(modified('aws-user', (x) => (x.connection.extra['bad key'] = 'v')))[0]).toMatch(/^connection\.extra: the key "bad key" is not valid: /);
    expect(configProblems({ environments: { dev: { aws: { region: 'eu-west-1' }, tags: { 'a#b': 'x' } } } })[0]).toMatch(/^environments\.dev\.tags: the key "a#b" is not valid: /);
  });
});

describe('describeIssues', () => {
  const schema = z.object({ name: z.string(), size: z.enum(['small', 'large']), nested: z.object({ depth: z.number() }).strict() }).strict();

  test('prefixes every field path, and names the top level when the path is empty', () => {
    expect(describeIssues(['doc'], { name: 1 }, issuesOf(schema, { name: 1 }), schema)).toEqual([
      'doc.name: 1 is not valid: Invalid input: expected string, received number',
      'doc.size is required but missing: add it (one of "small", "large")',
      'doc.nested is required but missing: add it (expected object)',
    ]);
    expect(describeIssues([], 5, issuesOf(schema, 5), schema, { top: 'the file' })).toEqual(['the file: 5 is not valid: Invalid input: expected object, received number']);
    expect(describeIssues([], 5, issuesOf(schema, 5))).toEqual(['the top level: 5 is not valid: Invalid input: expected object, received number']);
  });

  test('reports each unknown key on its own, with a suggestion, the known fields, or neither without a schema', () => {
    const value = { name: 'n', size: 'small', nested: { depth: 1, dept: 2 }, qqqqqqqq: 1 };
    const error = issuesOf(schema, value);
    expect(describeIssues([], value, error, schema, { docs: 'the manual' })).toEqual([
      'nested: unknown field "dept"; did you mean "depth"? (see the manual)',
      'the top level: unknown field "qqqqqqqq"; known fields here: name, size, nested (see the manual)',
    ]);
    expect(describeIssues([], value, error)).toEqual([
      'nested: unknown field "dept"; remove it or check the spelling',
      'the top level: unknown field "qqqqqqqq"; remove it or check the spelling',
    ]);
  });

  test('suggests the nearest enum value only for a near miss', () => {
    const near = { name: 'n', size: 'smal', nested: { depth: 1 } };
    expect(describeIssues([], near, issuesOf(schema, near))[0]).toMatch(/^size: "smal" is not valid: .*; did you mean "small"\?$/);
    const far = { ...near, size: 'enormous' };
    expect(describeIssues([], far, issuesOf(schema, far))[0]).not.toMatch(/did you mean/);
  });

  test('a refinement on a missing value reads as a sentence', () => {
    const refined = z.object({ a: z.string().optional() }).superRefine((_v, ctx) => {
      ctx.addIssue({ code: 'custom', path: ['a'], message: 'is needed when b is set' });
      ctx.addIssue({ code: 'custom', path: ['c'], message: 'set it to true' });
    });
    expect(describeIssues([], {}, issuesOf(refined, {}))).toEqual(['a is needed when b is set', 'c is missing: set it to true']);
  });
});

describe('invalidValueProblem and didYouMean', () => {
  test('quote the value and name the fix', () => {
    expect(invalidValueProblem('x.y', 'a\u0085b', 'write "ab"')).toBe('x.y: "a\\u0085b" is not valid: write "ab"');
    expect(didYouMean('azur', ['aws', 'gcp', 'azure'])).toBe('; did you mean "azure"?');
    expect(didYouMean('gcp', ['aws', 'gcp'])).toBe('');
    expect(didYouMean('zzzzzz', ['aws', 'gcp'])).toBe('');
    expect(didYouMean(3, ['aws'])).toBe('');
  });
});
