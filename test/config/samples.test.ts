import { loadConfig, parseConfig, sampleValueWarnings, warnAboutSampleValues } from '../../lib/config';

describe('sample values left in the config', () => {
  const shipped = loadConfig('config/environments.yaml');

  test('the shipped file warns about each sample value, naming the field', () => {
    const warnings = sampleValueWarnings(shipped, ['prod']);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environments\.prod\.aws\.identity\.trustedPrincipals\.0 is "arn:aws:iam::123456789012:role\/mwaa-execution-role", the sample AWS account 123456789012/),
        expect.stringMatching(/^environments\.prod\.gcp\.project is "my-airflow-project", the sample GCP project/),
        expect.stringMatching(/^environments\.prod\.azure\.identity\.aks\.oidcIssuerUrl is .*the all-zero sample id/),
        expect.stringMatching(/^environments\.prod\.azure\.storageAccountName is "airflowxcomsprd0", a storage account name of the shipped file/),
      ]),
    );
    expect(warnings.every((w) => w.includes('environments.prod.') && w.endsWith('before deploying'))).toBe(true);
  });

  test('all environments when none is named', () => {
    const envs = new Set(sampleValueWarnings(shipped).map((w) => w.split('.')[1]));
    expect([...envs].sort()).toEqual(['dev', 'prod', 'staging']);
  });

  test('real values give no warning', () => {
    const config = parseConfig({
      environments: {
        prod: {
          aws: { region: 'eu-west-1', account: '210987654321', identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::210987654321:role/x'] } },
          gcp: { project: 'acme-data-prod', location: 'EU', identity: { mode: 'key' } },
          azure: { location: 'westeurope', resourceGroup: { name: 'rg' }, storageAccountName: 'acmexcomsprod', identity: { mode: 'key', keyVaultName: 'kv-acme' } },
        },
      },
    });
    expect(sampleValueWarnings(config)).toEqual([]);
  });

  test('an account id that only contains the sample digits is not flagged', () => {
    const config = parseConfig({ environments: { dev: { aws: { region: 'eu-west-1', identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::212345678901:role/x'] } } } } });
    expect(sampleValueWarnings(config)).toEqual([]);
  });

  test('warnings are written, one a line, and nothing fails', () => {
    const lines: string[] = [];
    warnAboutSampleValues(shipped, ['dev'], (t) => lines.push(t));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.startsWith('warning: ') && l.endsWith('\n'))).toBe(true);
  });
});
