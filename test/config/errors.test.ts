import { loadConfig, selectEnvironment } from '../../lib/config';
import { configProblems } from './problems';

const problems = (document: unknown): readonly string[] => configProblems(document);

const AWS = { region: 'eu-west-1' };

describe('config errors', () => {
  test('a typo under defaults is reported once, at defaults.<path>, with a suggestion', () => {
    const found = problems({ defaults: { aws: { ...AWS, regoin: 'x' } }, environments: { dev: {}, staging: {}, prod: {} } });
    expect(found).toEqual(['defaults.aws: unknown field "regoin"; did you mean "region"? (see docs/configuration.md)']);
  });

  test('a bad value under defaults is reported at defaults, an override in one environment at that environment', () => {
    const found = problems({ defaults: { aws: { region: 'mars-1' } }, environments: { dev: {}, prod: { aws: { region: 'moon-2' } } } });
    expect(found).toEqual([
      'defaults.aws.region: "mars-1" is not valid: must be an AWS region such as eu-west-1',
      'environments.prod.aws.region: "moon-2" is not valid: must be an AWS region such as eu-west-1',
    ]);
  });

  test('an environment named "Prod" does not hide the other problems', () => {
    const found = problems({ environments: { Prod: { aws: { region: 'eu-west' } }, dev: { xcom: { compression: 'gz' } } } });
    expect(found).toEqual([
      'environments.Prod: "Prod" is not a valid environment name: it must be 1-20 lower-case letters, digits and "-", starting with a letter (write "prod")',
      'environments.Prod.aws.region: "eu-west" is not valid: must be an AWS region such as eu-west-1',
      expect.stringMatching(/^environments\.dev\.xcom\.compression: "gz" is not valid: fsspec has no codec named "gz"; use "gzip"/),
    ]);
  });

  test('a record key that breaks its rule is named as a key, under its parent', () => {
    expect(problems({ environments: { dev: { aws: AWS, tags: { 'cost#centre': 'x' } } } })).toEqual([
      'environments.dev.tags: the key "cost#centre" is not valid: tag keys hold letters, digits, spaces and _ . : / = + @ -',
    ]);
  });

  test('a missing field reads as a sentence', () => {
    expect(problems({ environments: { dev: { aws: {} } } })).toEqual(['environments.dev.aws.region is required but missing: add it (expected string)']);
    expect(problems({ environments: { dev: { gcp: { location: 'EU', identity: { mode: 'key' } } } } })).toEqual([
      'environments.dev.gcp.project is required but missing: add it (expected string)',
    ]);
  });

  test('an unknown field far from every known one lists the known fields', () => {
    expect(problems({ environments: { dev: { aws: { ...AWS, zzzzzzzz: 1 } } } })[0]).toMatch(/^environments\.dev\.aws: unknown field "zzzzzzzz"; known fields here: account, region, stackName/);
  });

  test('unknown fields of a discriminated section are checked against its own variant', () => {
    const found = problems({ environments: { dev: { aws: { ...AWS, identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::210987654321:root'], userNmae: 'x' } } } } });
    expect(found).toEqual([expect.stringMatching(/^environments\.dev\.aws\.identity: unknown field "userNmae"; known fields here: mode, roleName, trustedPrincipals/)]);
  });

  test('an unknown top-level key gets a suggestion', () => {
    expect(problems({ enviroments: {}, environments: { dev: {} } })).toEqual(['the top level: unknown field "enviroments"; did you mean "environments"? (see docs/configuration.md)']);
  });

  test('choosing an unknown environment is not called an invalid configuration, and suggests the nearest', () => {
    const config = loadConfig('config/environments.yaml');
    expect(() => selectEnvironment(config, 'prd')).toThrow(/^Unknown environment for config\/environments\.yaml:\n {2}- unknown environment "prd": known environments are dev, staging, prod; did you mean "prod"\?$/);
    expect(() => selectEnvironment(config, undefined)).toThrow(/^No environment chosen from/);
    expect(() => selectEnvironment(config, 'nope')).not.toThrow(/Invalid configuration/);
  });
});
