/**
 * No credential in plaintext, anywhere the kit writes: every synthesized artefact (CloudFormation
 * assemblies of every environment and identity variant, the CDKTF stacks of every environment plus the
 * key-mode variants) and every xcomkit output in default mode (each format and identity mode, from the
 * fixtures and from the synthesized stacks). The test command's logs (its console log and the logs the
 * Python suites keep under out/test-logs/<suite>/) are scanned by scripts/test.sh with the same patterns
 * (test/security/test-log-scan.integration.test.ts). The scanner is checked against planted credentials
 * first, so it can fail, also over a folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App as TfApp } from 'cdktf';
import { FORMAT_NAMES } from '../../lib/airflow/formats';
import { buildAwsApp } from '../../lib/apps/aws-app';
import { loadConfig, parseConfig } from '../../lib/config';
import { buildTerraformApp } from '../../lib/apps/terraform-app';
import { filesUnder, scanPaths, scanText } from '../../scripts/secret-scan';
import { STACK_VARIANTS, testConfig } from '../aws/helpers';
import { cli, fixture, MODES } from '../cli/helpers';
import { AZURE_BASE, GCP_BASE } from '../terraform/fixtures';

const MWAA_REFUSED = ['gcp-workload-identity', 'azure-workload-identity', 'gcp-key', 'azure-key'];

describe('the scanner', () => {
  test.each([
    ['an AWS access key id', 'login: AKIAZ7Q3LJ5EXAMPLE00'],
    ['an AWS secret access key', '"password": "h4Ck3d/secretKey+Value0123456789abcdEFGH"'],
    ['a PEM private key', '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE..."'],
    ['a GCP key id', '"private_key_id": "0123456789abcdef0123456789abcdef01234567"'],
    ['an Azure account key', `password=${'Q'.repeat(40)}x${'7'.repeat(45)}==`],
    ['an account key in a connection string', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0;'],
    ['a SAS signature', 'https://a.blob.core.windows.net/c?sv=2024&sig=abcdEFGH1234%2Bxyz%3D5678'],
  ])('finds %s', (_name, text) => {
    expect(scanText(text, 'planted')).toHaveLength(1);
  });

  test("allows Azurite's and moto's published test keys by name, and nothing that merely looks like a key name", () => {
    const text = [
      'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;',
      '"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
      '${google_service_account_key.key.private_key} primary_access_key Fn::GetAtt SecretAccessKey',
    ].join('\n');
    expect(scanText(text, 'allowed')).toEqual([]);
  });

  test('scans a folder of logs: a credential in a nested .log file is found, the well-known test keys are not', () => {
    // GIVEN a folder laid out as scripts/test.sh keeps the suites' logs: a server log with moto's and
    // Azurite's published keys, and an Airflow task log three levels down with a planted secret key
    const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-logs-'));
    try {
      const serverLog = path.join(logs, 'runtime', 'servers', 'xcomkit-moto-1', 'server.log');
      const taskLog = path.join(logs, 'e2e', 'work', 'airflow-home', 'logs', 'dag_id=d', 'run_id=r', 'task_id=t', 'attempt=1.log');
      for (const f of [serverLog, taskLog]) fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(
        serverLog,
        [
          '127.0.0.1 - - "POST / HTTP/1.1" 200 - AccessKeyId=AKIAIOSFODNN7EXAMPLE SecretAccessKey=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          'AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;',
        ].join('\n'),
      );
      expect(scanPaths([logs])).toEqual([]);

      // WHEN a task log holds a secret access key that is not a published test key
      const planted = `Zq${'3'.repeat(18)}/${'k'.repeat(19)}`; // 40 characters, built here: not a literal
      fs.writeFileSync(taskLog, `[2026-01-01] INFO - connection\naws_secret_access_key = ${planted}\n`);

      // THEN the folder scan finds exactly it, by file and line
      expect(scanPaths([logs])).toEqual([{ pattern: 'AWS secret access key', where: taskLog, line: 2, masked: 'Zq33…kk (40 chars)' }]);
    } finally {
      fs.rmSync(logs, { recursive: true, force: true });
    }
  });

  test('reports where, never the credential itself', () => {
    const [finding] = scanText('x\nAKIAZ7Q3LJ5EXAMPLE00', 'file.txt');
    expect(finding).toEqual({ pattern: 'AWS access key id', where: 'file.txt', line: 2, masked: 'AKIA…00 (20 chars)' });
  });
});

describe('no credential in plaintext', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-hygiene-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('in every synthesized artefact and every xcomkit default output', async () => {
    // GIVEN every CloudFormation assembly (shipped environments, identity variants) ...
    const cdkOut = path.join(dir, 'cdk.out');
    const shipped = loadConfig('config/environments.yaml');
    buildAwsApp(shipped, { templateValidation: false, appProps: { outdir: cdkOut } }).app.synth();
    STACK_VARIANTS.forEach(([, aws, env], i) => {
      buildAwsApp(testConfig(aws, env), { environment: 'test', templateValidation: false, appProps: { outdir: path.join(dir, `cdk-variant-${i}.out`) } }).app.synth();
    });
    // ... and every CDKTF stack (shipped environments, plus key mode on both clouds)
    const cdktfOut = path.join(dir, 'cdktf.out');
    const tf = new TfApp({ outdir: cdktfOut });
    buildTerraformApp(tf, shipped);
    buildTerraformApp(
      tf,
      parseConfig({
        environments: {
          keys: {
            gcp: { ...GCP_BASE, identity: { mode: 'key' } },
            azure: { ...AZURE_BASE, storageAccountName: 'acmexcomskeys', identity: { mode: 'key', keyVaultName: 'kv-acme-xcoms' } },
          },
        },
      }),
    );
    tf.synth();
    const synthesized = [cdkOut, cdktfOut, ...STACK_VARIANTS.map((_, i) => path.join(dir, `cdk-variant-${i}.out`))];
    expect(synthesized.flatMap(filesUnder).filter((f) => f.endsWith('.template.json') || f.endsWith('cdk.tf.json')).length).toBe(3 + STACK_VARIANTS.length + 6 + 2);

    // WHEN xcomkit renders every format in default mode, from the fixtures and from the synth
    const outputs: string[] = [];
    const record = async (name: string, args: string[]) => {
      const r = await cli(args);
      expect({ name, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ name, code: 0, stderr: '' });
      fs.writeFileSync(path.join(dir, `xcomkit-${outputs.length}.txt`), `${r.stdout}\n${r.stderr}`);
      outputs.push(name);
    };
    for (const mode of MODES) {
      for (const format of FORMAT_NAMES) if (!(format === 'mwaa' && MWAA_REFUSED.includes(mode))) await record(`${mode} ${format}`, ['env', fixture(mode), '--format', format]);
      await record(`${mode} show`, ['show', fixture(mode)]);
      await record(`${mode} requirements`, ['requirements', fixture(mode)]);
    }
    for (const [cloud, env, source] of [['aws', 'dev', cdkOut], ['aws', 'prod', cdkOut], ['gcp', 'prod', cdktfOut], ['azure', 'prod', cdktfOut], ['gcp', 'keys', cdktfOut], ['azure', 'keys', cdktfOut]]) {
      for (const format of FORMAT_NAMES.filter((f) => f !== 'mwaa')) await record(`${cloud}/${env} synth ${format}`, ['env', source, '--cloud', cloud, '--env', env, '--format', format]);
    }
    expect(outputs.length).toBeGreaterThan(60);

    // THEN nothing holds a credential
    expect(scanPaths([...synthesized, ...fs.readdirSync(dir).filter((f) => f.startsWith('xcomkit-')).map((f) => path.join(dir, f))])).toEqual([]);
  }, 120_000);
});
