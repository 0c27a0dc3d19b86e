import * as fs from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { AWS_FEATURE_FLAGS, buildAwsApp, newAwsApp } from '../../lib/apps/aws-app';
import { ConfigError, parseConfig } from '../../lib/config';
import { SHIPPED_ENVIRONMENTS, shippedConfig, STACK_VARIANTS, testConfig } from './helpers';

const ACK_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** Acknowledgements recorded on the constructs of a stack: construct path -> { rule id: reason }. */
function acknowledgements(stack: Stack): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type === ACK_KEY) out[construct.node.path] = { ...out[construct.node.path], ...(entry.data as Record<string, string>) };
    }
  }
  return out;
}

describe('buildAwsApp', () => {
  test('without an environment, defines one stack per environment that has an aws section', () => {
    const { stacks } = buildAwsApp(shippedConfig(), { templateValidation: false });
    expect(Object.keys(stacks)).toEqual(['dev', 'staging', 'prod']);
    expect(Object.values(stacks).map((s) => s.stackName)).toEqual(['AirflowXcoms-dev', 'AirflowXcoms-staging', 'AirflowXcoms-prod']);
    for (const stack of Object.values(stacks)) expect(stack.region).toBe('eu-west-1');
  });

  test('environments without an aws section are skipped when synthesizing all', () => {
    const config = parseConfig({ environments: { gcponly: {}, a: { aws: { region: 'us-east-1' } } } });
    expect(Object.keys(buildAwsApp(config, { templateValidation: false }).stacks)).toEqual(['a']);
  });

  test('a selected environment gets exactly one stack, with the configured name, account and region', () => {
    const config = testConfig({ stackName: 'XcomsTest', account: '123456789012', region: 'us-west-2' });
    const { app, stacks } = buildAwsApp(config, { environment: 'test', templateValidation: false });
    expect(app.node.children.filter((c) => c instanceof Stack)).toHaveLength(1);
    expect(stacks.test.stackName).toBe('XcomsTest');
    expect(stacks.test.account).toBe('123456789012');
    expect(stacks.test.region).toBe('us-west-2');
  });

  test('an unknown environment is a ConfigError listing the known ones, and nothing is defined', () => {
    const app = newAwsApp();
    expect(() => buildAwsApp(shippedConfig(), { environment: 'qa', app })).toThrow(ConfigError);
    expect(() => buildAwsApp(shippedConfig(), { environment: 'qa', app })).toThrow(/unknown environment "qa": known environments are dev, staging, prod/);
    expect(app.node.children.filter((c) => c instanceof Stack)).toHaveLength(0);
  });

  test('an environment without an aws section is a ConfigError naming those that have one', () => {
    const config = parseConfig({ environments: { gcponly: {}, a: { aws: { region: 'us-east-1' } } } });
    expect(() => buildAwsApp(config, { environment: 'gcponly' })).toThrow(/environment "gcponly" has no "aws" section; environments with one: a/);
  });

  test('two environments claiming the same stack name or bucket name are refused before any stack exists', () => {
    const config = parseConfig({
      environments: {
        a: { aws: { region: 'eu-west-1', stackName: 'Xcoms', bucketName: 'same-bucket-name' } },
        b: { aws: { region: 'eu-west-1', stackName: 'Xcoms', bucketName: 'same-bucket-name' } },
      },
    });
    const app = newAwsApp();
    expect(() => buildAwsApp(config, { app })).toThrow(/environments\.b\.aws: stack name "Xcoms" is also used by environment "a"/);
    expect(() => buildAwsApp(config, { app })).toThrow(/bucketName "same-bucket-name" is also used/);
    expect(app.node.children.filter((c) => c instanceof Stack)).toHaveLength(0);
  });

  test('user-mode environments get their own connection secret by default', () => {
    const stacks = buildAwsApp(shippedConfig(), { templateValidation: false }).stacks;
    expect(stacks.dev.userIdentity?.secretName).toBe('airflow/dev/connections/aws_xcoms');
    expect(stacks.staging.userIdentity?.secretName).toBe('airflow/staging/connections/aws_xcoms');
  });

  test('two environments claiming one connection secret in the same account and region are refused', () => {
    const user = { mode: 'user', connectionsPrefix: 'airflow/connections' };
    const config = parseConfig({
      environments: {
        a: { aws: { region: 'eu-west-1', identity: user } },
        b: { aws: { region: 'eu-west-1', identity: user } },
        c: { aws: { region: 'us-east-1', identity: user } },
        d: { aws: { region: 'eu-west-1', account: '123456789012', identity: user } },
      },
    });
    const app = newAwsApp();
    expect(() => buildAwsApp(config, { app })).toThrow(
      'environments.b.aws: connection secret in the deploy account/eu-west-1 "airflow/connections/aws_xcoms" is also used by environment "a"; give each environment its own',
    );
    expect(() => buildAwsApp(config, { app })).not.toThrow(/environment "c"|environments\.[cd]\./);
  });

  test('the feature flags the stacks rely on are the ones cdk.json gives the CDK CLI', () => {
    const cdkJson = JSON.parse(fs.readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
    expect(cdkJson.context).toMatchObject(AWS_FEATURE_FLAGS);
  });

  test('template validation is on by default and only switched off on request', () => {
    const on = buildAwsApp(shippedConfig(), { environment: 'dev' }).app as unknown as { _builtinCloudFormationValidation: boolean };
    const off = buildAwsApp(shippedConfig(), { environment: 'dev', templateValidation: false }).app as unknown as { _builtinCloudFormationValidation: boolean };
    expect(on._builtinCloudFormationValidation).toBe(true);
    expect(off._builtinCloudFormationValidation).toBe(false);
  });
});

type NagReport = { pluginName: string; conclusion: string; violations?: unknown[]; suppressedViolations?: { ruleName: string; reason: string }[] };

/** The cdk-nag plugin reports of one synthesized app. */
function nagReports(app: App): NagReport[] {
  const assembly = app.synth();
  expect(assembly.manifest.missing).toBeUndefined();
  return (JSON.parse(fs.readFileSync(`${assembly.directory}/validation-report.json`, 'utf8')) as { pluginReports: NagReport[] }).pluginReports;
}

/** Every rule each finding was acknowledged for, per pack, with no unacknowledged finding left. */
function expectPacksPass(app: App): Record<string, string[]> {
  const reports = nagReports(app);
  const out: Record<string, string[]> = {};
  for (const pack of NAG_PACKS) {
    const r = reports.find((x) => x.pluginName === pack);
    expect(r).toBeDefined();
    expect({ pack, conclusion: r!.conclusion, violations: r!.violations ?? [] }).toEqual({ pack, conclusion: 'success', violations: [] });
    for (const suppressed of r!.suppressedViolations ?? []) expect(suppressed.reason.length).toBeGreaterThan(40);
    out[pack] = [...new Set((r!.suppressedViolations ?? []).map((v) => v.ruleName))].sort();
  }
  return out;
}

const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5'];

describe('cdk-nag AwsSolutions and NIST 800-53 rev 5 checks', () => {
  test.each(SHIPPED_ENVIRONMENTS)('run on synth of %s and pass with no unacknowledged finding, needing no context lookup', (env) => {
    const { app } = buildAwsApp(shippedConfig(), { environment: env, templateValidation: false });
    const suppressed = expectPacksPass(app);
    for (const rule of suppressed.AwsSolutions) expect(rule).toMatch(/^AwsSolutions-(S1|SMG4|IAM5\[Resource::<\w+\.Arn>\/xcom\/\*\])$/);
    for (const rule of suppressed['NIST.800.53.R5']) {
      expect(rule).toMatch(/^NIST\.800\.53\.R5-(S3BucketReplicationEnabled|S3DefaultEncryptionKMS|S3BucketLoggingEnabled|SecretsManagerRotationEnabled|SecretsManagerUsingKMSKey)$/);
    }
  });

  test.each(STACK_VARIANTS)('pass both packs in identity/encryption/logging combination: %s', (_name, aws, env) => {
    const { app } = buildAwsApp(testConfig(aws, env), { environment: 'test', templateValidation: false });
    expectPacksPass(app);
  });

  test('fail the synth on an unacknowledged finding (they are really running)', () => {
    // GIVEN a shipped stack plus an insecure bucket nobody acknowledged
    const { stacks } = buildAwsApp(shippedConfig(), { environment: 'staging', templateValidation: false });
    new s3.Bucket(stacks.staging, 'Insecure');
    // THEN synthesis is interrupted with the findings of both packs
    expect(() => Template.fromStack(stacks.staging)).toThrow(/AwsSolutions-S1[\s\S]*staging\/Insecure|staging\/Insecure[\s\S]*AwsSolutions-S1/);
    const again = buildAwsApp(shippedConfig(), { environment: 'staging', templateValidation: false }).stacks.staging;
    new s3.Bucket(again, 'Insecure');
    expect(() => Template.fromStack(again)).toThrow(/NIST\.800\.53\.R5-S3BucketLoggingEnabled[\s\S]*staging\/Insecure|staging\/Insecure[\s\S]*NIST\.800\.53\.R5-S3BucketLoggingEnabled/);
  });

  test('acknowledgements sit on the specific resources, each with a reason (dev: no access logs, SSE-S3, user)', () => {
    const { stacks } = buildAwsApp(shippedConfig(), { environment: 'dev', templateValidation: false });
    const bucketId = (stacks.dev.storage.bucket.node.defaultChild as unknown as { logicalId: string }).logicalId;
    expect(acknowledgements(stacks.dev)).toEqual({
      'dev/Xcoms/Bucket': {
        'AwsSolutions::AwsSolutions-S1': expect.stringMatching(/accessLogs: false/),
        'NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled': expect.stringMatching(/accessLogs: false/),
        'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled': expect.stringMatching(/expire within days/),
        'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS': expect.stringMatching(/aws.encryption.type: s3/),
      },
      'dev/Access/Policy': { [`AwsSolutions::AwsSolutions-IAM5[Resource::<${stacks.dev.resolve(bucketId)}.Arn>/xcom/*]`]: expect.stringMatching(/confined to the XCom prefix/) },
      'dev/Identity/Connection': {
        'AwsSolutions::AwsSolutions-SMG4': expect.stringMatching(/cannot rotate/),
        'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled': expect.stringMatching(/cannot rotate/),
        'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerUsingKMSKey': expect.stringMatching(/aws\/secretsmanager key/),
      },
    });
  });

  test('acknowledgements in prod (access logs, role, KMS): log bucket S1, replication and its SSE-S3, data bucket replication, the prefix wildcard', () => {
    const { stacks } = buildAwsApp(shippedConfig(), { environment: 'prod', templateValidation: false });
    const acks = acknowledgements(stacks.prod);
    expect(Object.keys(acks).sort()).toEqual(['prod/Access/Policy', 'prod/Xcoms/AccessLogs', 'prod/Xcoms/Bucket']);
    expect(Object.keys(acks['prod/Xcoms/AccessLogs']).sort()).toEqual([
      'AwsSolutions::AwsSolutions-S1',
      'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
      'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
    ]);
    expect(acks['prod/Xcoms/AccessLogs']['NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS']).toMatch(/delivers only to buckets encrypted with SSE-S3/);
    // KMS in prod: the data bucket needs no S3DefaultEncryptionKMS acknowledgement
    expect(Object.keys(acks['prod/Xcoms/Bucket'])).toEqual(['NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled']);
    expect(Object.keys(acks['prod/Access/Policy'])).toEqual([expect.stringMatching(/^AwsSolutions::AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/xcom\/\*\]$/)]);
    for (const reasons of Object.values(acks)) for (const reason of Object.values(reasons)) expect(reason.length).toBeGreaterThan(40);
  });
});
