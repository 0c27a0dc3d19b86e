/**
 * The constructs built directly, as a CDK user would: a bare `new App()` (no feature flags, no
 * cdk.json), cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs on the user's app.
 */
import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { AirflowXcomStorage, BUCKET_ACTIONS, KMS_ACTIONS, OBJECT_ACTIONS, XcomAccessPolicy, XcomRoleIdentity, XcomUserIdentity } from '../../lib/aws';
import { parseBinding } from '../../lib/binding';
import { validateBinding } from '../../lib/airflow/validate';
import { MWAA_ROLE, OIDC_PROVIDER } from './helpers';
import { resolveIntrinsics } from './intrinsics';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function bareStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Consumer', { env: ENV }) };
}

/**
 * Synthesizes `app` with both nag packs and returns every unacknowledged finding (rule id: paths).
 * Call it before anything else synthesizes the app (`Template.fromStack` does): an app synthesizes
 * once, and packs added after that never run.
 */
function nagFindings(app: App): string[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  try {
    app.synth();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

function dataBucket(template: Template): string {
  const [id] = Object.keys(template.findResources('AWS::S3::Bucket', { Properties: { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-xcom-objects' })]) } } }));
  return id;
}

/** The binding output as xcomkit reads it from a synthesized stack (refs replaced by deploy-time placeholders). */
function bindingOutput(template: Template) {
  const json = template.toJSON() as { Outputs: Record<string, { Value: unknown }>; Resources: Record<string, unknown> };
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const id of Object.keys(json.Resources)) {
    refs[id] = `<deploy-time:${id}>`;
    attributes[`${id}.Arn`] = `<deploy-time:${id}.Arn>`;
  }
  return parseBinding(resolveIntrinsics(json.Outputs.AirflowBinding.Value, { partition: 'aws', region: 'eu-west-1', accountId: '123456789012', refs, attributes }) as string);
}

describe('AirflowXcomStorage', () => {
  test('synthesizes in a bare App (no feature flags) with access logs delivered through a bucket policy, not an ACL', () => {
    // GIVEN a bare app: without the construct's own flag, CDK would switch the log bucket to the
    // LogDeliveryWrite ACL, which BucketOwnerEnforced refuses.
    const { stack } = bareStack();
    // WHEN
    new AirflowXcomStorage(stack, 'Xcoms');
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[]) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
  });

  test('defaults: prefix xcom, 30-day expiry, 7-day noncurrent expiry, SSE-S3, retained on delete', () => {
    const { stack } = bareStack();
    new AirflowXcomStorage(stack, 'Xcoms');
    const template = Template.fromStack(stack);
    const id = dataBucket(template);
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const props = template.toJSON().Resources[id].Properties;
    expect(props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(props.LifecycleConfiguration.Rules[0]).toEqual({
      Id: 'expire-xcom-objects',
      Prefix: 'xcom/',
      ExpirationInDays: 30,
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
      Status: 'Enabled',
    });
  });

  test('typed props: retention as Durations, RemovalPolicy, a given kms.IKey, no access logs', () => {
    const { stack } = bareStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    new AirflowXcomStorage(stack, 'Xcoms', {
      prefix: 'airflow/xcom',
      expiration: Duration.days(3),
      noncurrentVersionExpiration: Duration.days(1),
      noncurrentVersionsToRetain: 2,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: key,
      serverAccessLogs: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    const props = template.toJSON().Resources[dataBucket(template)].Properties;
    expect(props.LifecycleConfiguration.Rules[0]).toMatchObject({ Prefix: 'airflow/xcom/', ExpirationInDays: 3, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 } });
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('access logs can go to a bucket the user already has, which gets the log-delivery statement', () => {
    const { stack } = bareStack();
    const logs = new s3.Bucket(stack, 'CentralLogs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, enforceSSL: true });
    new AirflowXcomStorage(stack, 'Xcoms', { serverAccessLogsBucket: logs });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    const logsId = stack.getLogicalId(logs.node.defaultChild as s3.CfnBucket);
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'xcom-bucket/' } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Condition: Match.objectLike({ ArnLike: Match.anyValue() }) })]) },
    });
    expect(template.toJSON().Resources[logsId].Properties.AccessControl).toBeUndefined();
  });

  test('fails at construction with every bad prop named, with its value', () => {
    const { stack } = bareStack();
    expect(() =>
      new AirflowXcomStorage(stack, 'Xcoms', { prefix: '/xcom', expiration: Duration.hours(5), connectionId: '1conn', threshold: -2, noncurrentVersionsToRetain: 0 }),
    ).toThrow(/prefix "\/xcom": must not start or end with "\/"[\s\S]*expiration: 5 hours must be a whole number of days[\s\S]*noncurrentVersionsToRetain: 0[\s\S]*connectionId "1conn"[\s\S]*threshold: -2/);
  });

  describe('grantReadWrite', () => {
    test('grants an imported existing role exactly the traced actions, with no wildcard action', () => {
      // GIVEN an MWAA execution role the user already has
      const { stack } = bareStack();
      const storage = new AirflowXcomStorage(stack, 'Xcoms', { createEncryptionKey: true });
      const role = iam.Role.fromRoleArn(stack, 'Mwaa', MWAA_ROLE);
      // WHEN
      const grant = storage.grantReadWrite(role);
      // THEN
      expect(grant.success).toBe(true);
      const template = Template.fromStack(stack);
      const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as { Properties: { Roles: unknown; PolicyDocument: { Statement: { Action: string | string[] }[] } } }[];
      expect(policies).toHaveLength(1);
      expect(policies[0].Properties.Roles).toEqual(['mwaa-execution-role']);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      const actions = policies[0].Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat());
      expect(actions.sort()).toEqual([...OBJECT_ACTIONS, ...BUCKET_ACTIONS, ...KMS_ACTIONS].sort());
      expect(actions.some((a) => a.includes('*'))).toBe(false);
      template.resourceCountIs('AWS::IAM::Role', 0);
    });

    test('an imported existing role makes the binding mode existing, with no role_arn and no secret', () => {
      const { stack } = bareStack();
      const storage = new AirflowXcomStorage(stack, 'Xcoms', { environment: 'prod' });
      storage.grantReadWrite(iam.Role.fromRoleArn(stack, 'Mwaa', MWAA_ROLE));
      storage.addBindingOutput();
      const binding = bindingOutput(Template.fromStack(stack));
      expect(binding.identity).toEqual({ mode: 'existing', principal: MWAA_ROLE, principals: [MWAA_ROLE] });
      expect(binding.connection.extra).toEqual({ region_name: 'eu-west-1' });
      expect(binding.environment).toBe('prod');
      expect(() => validateBinding(binding)).not.toThrow();
    });

    test('a role of the same app gets the grant as a managed policy attached to it', () => {
      const { stack } = bareStack();
      const storage = new AirflowXcomStorage(stack, 'Xcoms');
      const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      storage.grantReadWrite(role);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] });
    });

    test('a role of another account is admitted by the bucket policy, not given a policy of this account', () => {
      const { stack } = bareStack();
      const storage = new AirflowXcomStorage(stack, 'Xcoms');
      const grant = storage.grantReadWrite(iam.Role.fromRoleArn(stack, 'Remote', 'arn:aws:iam::210987654321:role/remote-airflow'));
      expect(grant.success).toBe(true);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:role/remote-airflow' }, Action: [...OBJECT_ACTIONS] })]) },
      });
    });

    test('reading the binding before any identity exists says what to do', () => {
      const { stack } = bareStack();
      const storage = new AirflowXcomStorage(stack, 'Xcoms');
      expect(() => storage.binding).toThrow(/no Airflow identity yet: call grantReadWrite\(role\)/);
    });
  });

  describe('under cdk-nag AwsSolutions and NIST 800-53 rev 5 in the user\'s app', () => {
    test.each([
      ['an imported existing role', (stack: Stack, s: AirflowXcomStorage) => s.grantReadWrite(iam.Role.fromRoleArn(stack, 'Mwaa', MWAA_ROLE))],
      ['a new user with its secret', (_stack: Stack, s: AirflowXcomStorage) => new XcomUserIdentity(s, 'User', { storage: s })],
      ['a role with trusted principals and an external id', (stack: Stack, s: AirflowXcomStorage) => new XcomRoleIdentity(stack, 'Role', { storage: s, trustedPrincipalArns: [MWAA_ROLE], externalId: 'xcom-external-1' })],
      ['an IRSA role', (stack: Stack, s: AirflowXcomStorage) => new XcomRoleIdentity(stack, 'Irsa', { storage: s, eksServiceAccounts: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'worker' }] })],
    ])('%s: no unacknowledged finding, in a bare App', (_name, identity) => {
      const { app, stack } = bareStack();
      const storage = new AirflowXcomStorage(stack, 'Xcoms');
      identity(stack, storage);
      storage.addBindingOutput();
      expect(nagFindings(app)).toEqual([]);
    });
  });
});

describe('identity helpers', () => {
  test('XcomUserIdentity: a user in a group with the access policy, and the connection secret, as the binding identity', () => {
    const { stack } = bareStack();
    const storage = new AirflowXcomStorage(stack, 'Xcoms', { connectionId: 'xcoms' });
    new XcomUserIdentity(stack, 'User', { storage, userName: 'airflow', connectionsPrefix: 'airflow/connections' });
    storage.addBindingOutput();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Group', { ManagedPolicyArns: [Match.anyValue()] });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'airflow/connections/xcoms' });
    const binding = bindingOutput(template);
    expect(binding.identity.mode).toBe('user');
    expect(binding.identity.secret?.name).toBe('airflow/connections/xcoms');
  });

  test('XcomRoleIdentity with trusted principals: the binding names the role to assume (role_arn)', () => {
    const { stack } = bareStack();
    const storage = new AirflowXcomStorage(stack, 'Xcoms');
    const { role } = new XcomRoleIdentity(stack, 'Role', { storage, trustedPrincipalArns: [MWAA_ROLE], externalId: 'xcom-external-1', maxSessionDuration: Duration.hours(2) });
    storage.addBindingOutput();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: MWAA_ROLE }, Condition: { StringEquals: { 'sts:ExternalId': 'xcom-external-1' } } })] },
    });
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    expect(bindingOutput(template).connection.extra).toEqual({ region_name: 'eu-west-1', role_arn: `<deploy-time:${roleId}.Arn>` });
  });

  test('XcomRoleIdentity refuses a role nobody could assume, and wildcard principals', () => {
    const { stack } = bareStack();
    const storage = new AirflowXcomStorage(stack, 'Xcoms');
    expect(() => new XcomRoleIdentity(stack, 'Nobody', { storage })).toThrow(/trustedPrincipalArns and eksServiceAccounts are both empty/);
    expect(() => new XcomRoleIdentity(stack, 'Wild', { storage, trustedPrincipalArns: ['arn:aws:iam::123456789012:role/*'] })).toThrow(/wildcards are not allowed/);
  });

  test('XcomAccessPolicy on its own: a named managed policy with exactly the grant statements, attached to nothing, acknowledged for nag', () => {
    // GIVEN a user's app that attaches the policy itself (to a group, a permission set, ...)
    const { app, stack } = bareStack();
    const storage = new AirflowXcomStorage(stack, 'Xcoms', { prefix: 'teams/data/xcom' });
    // WHEN
    const { policy } = new XcomAccessPolicy(stack, 'Access', { storage, managedPolicyName: 'airflow-xcom-access' });
    // THEN (nag first: an app synthesizes once, and Template.fromStack would synthesize it without the packs)
    const findings = nagFindings(app);
    const template = Template.fromStack(stack);
    const bucket = dataBucket(template);
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toEqual([stack.getLogicalId(policy.node.defaultChild as iam.CfnManagedPolicy)]);
    const [properties] = Object.values(policies).map((p) => p.Properties);
    expect(properties.ManagedPolicyName).toBe('airflow-xcom-access');
    expect(properties.Description).toBe('Airflow XCom access: objects under teams/data/xcom/ only');
    const statements = (properties.PolicyDocument.Statement as { Action: string[] }[]).map((st) => ({ ...st, Action: [...st.Action].sort() }));
    expect(statements).toEqual([
      { Sid: 'XcomObjects', Effect: 'Allow', Action: [...OBJECT_ACTIONS].sort(), Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/teams/data/xcom/*']] } },
      { Sid: 'XcomBucket', Effect: 'Allow', Action: [...BUCKET_ACTIONS].sort(), Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
    ]);
    for (const key of ['Roles', 'Users', 'Groups']) expect(properties[key]).toBeUndefined();
    // The object wildcard <bucket>/<prefix>/* is acknowledged on this policy, so neither pack reports it.
    expect(findings).toEqual([]);
  });

  test('one storage has one Airflow identity', () => {
    const { stack } = bareStack();
    const storage = new AirflowXcomStorage(stack, 'Xcoms');
    new XcomRoleIdentity(stack, 'Role', { storage, trustedPrincipalArns: [MWAA_ROLE] });
    expect(() => new XcomUserIdentity(stack, 'User', { storage })).toThrow(/an identity is already set \(role\)/);
  });
});

describe('binding environment', () => {
  test('defaults to the stack name in environment-name form', () => {
    const app = new App();
    const stack = new Stack(app, 'AirflowXcoms-Prod', { env: ENV });
    const storage = new AirflowXcomStorage(stack, 'Xcoms');
    storage.grantReadWrite(iam.Role.fromRoleArn(stack, 'Mwaa', MWAA_ROLE));
    storage.addBindingOutput();
    expect(bindingOutput(Template.fromStack(stack)).environment).toBe('airflowxcoms-prod');
  });

  test('compression is a string checked at construction (jsii has no literal unions): a wrong name says which one works', () => {
    const { stack } = bareStack();
    expect(() => new AirflowXcomStorage(stack, 'Gz', { compression: 'gz' })).toThrow(/compression "gz": fsspec has no codec named "gz"; use "gzip"\. Allowed: zip, bz2, gzip, lzma, xz, lz4, zstd, or 'none'/);
    expect(() => new AirflowXcomStorage(stack, 'Null', { compression: 'null' })).toThrow(/compression "null"/);
    for (const [i, compression] of ['none', 'zstd'].entries()) new AirflowXcomStorage(stack, `Ok${i}`, { compression });
  });

  test('fails if environment is not an environment name', () => {
    const { stack } = bareStack();
    expect(() => new AirflowXcomStorage(stack, 'Xcoms', { environment: 'Prod EU' })).toThrow(/environment "Prod EU": must be 1-20 lower-case letters/);
  });
});
