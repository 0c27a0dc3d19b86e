import { ConfigError, loadConfig, parseConfig, selectEnvironment } from '../../lib/config';

describe('environments file', () => {
  test('the shipped file defines dev, staging and prod and validates', () => {
    const config = loadConfig('config/environments.yaml');
    expect(Object.keys(config.environments)).toEqual(['dev', 'staging', 'prod']);
    expect(config.environments.prod.removalPolicy).toBe('retain');
    expect(config.environments.dev.removalPolicy).toBe('destroy');
    expect(config.environments.dev.aws?.identity.mode).toBe('user');
    expect(config.environments.prod.aws?.identity.mode).toBe('role');
  });

  test('an unknown environment is an error that lists the known ones', () => {
    const config = loadConfig('config/environments.yaml');
    expect(() => selectEnvironment(config, 'qa')).toThrow(/unknown environment "qa": known environments are dev, staging, prod/);
  });

  test('defaults merge under environments and a switched identity mode is taken whole', () => {
    const config = parseConfig({
      defaults: { aws: { region: 'eu-west-1', identity: { mode: 'user', userName: 'airflow' } } },
      environments: {
        a: { aws: {} },
        b: { aws: { identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::123456789012:root'] } } },
      },
    });
    expect(config.environments.a.aws?.identity).toEqual({ mode: 'user', userName: 'airflow' });
    expect(config.environments.b.aws?.identity.mode).toBe('role');
  });

  test('a problem names the environment, the field, the value and what is allowed', () => {
    expect(() => parseConfig({ environments: { prod: { xcom: { compression: 'gz' } } } })).toThrow(
      'environments.prod.xcom.compression: "gz" is not valid: fsspec has no codec named "gz"; use "gzip". Allowed: zip, bz2, gzip, lzma, xz, lz4, zstd, or null for none',
    );
  });

  test('every problem is reported at once', () => {
    try {
      parseConfig({ environments: { dev: { xcom: { threshold: -2 }, aws: { region: 'mars-1' } } } });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        expect.stringMatching(/^environments\.dev\.xcom\.threshold: -2 is not valid: must be a whole number of bytes, at least -1/),
        expect.stringMatching(/^environments\.dev\.aws\.region: "mars-1" is not valid: must be an AWS region/),
      ]);
    }
  });

  test('an empty prefix is refused unless the bucket is dedicated', () => {
    expect(() => parseConfig({ environments: { dev: { xcom: { prefix: '' } } } })).toThrow(/environments\.dev\.xcom\.prefix: "" is not valid: is empty/);
    const ok = parseConfig({ environments: { dev: { xcom: { prefix: '', dedicatedBucket: true } } } });
    expect(ok.environments.dev.xcom.prefix).toBe('');
  });
});
