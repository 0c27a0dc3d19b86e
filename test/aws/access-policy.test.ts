import { Template } from 'aws-cdk-lib/assertions';
import { BUCKET_ACTIONS, KMS_ACTIONS, OBJECT_ACTIONS } from '../../lib/aws/permissions';
import { EKS_POD_ROLE, MWAA_ROLE, OIDC_PROVIDER, onlyResource, shippedTemplate, SHIPPED_ENVIRONMENTS, templateFor } from './helpers';

function dataBucketId(template: Template): string {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as { Properties: { Bucket: { Ref: string }; PolicyDocument: unknown } }[];
  const dataPolicy = policies.find((p) => !JSON.stringify(p.Properties.PolicyDocument).includes('logging.s3.amazonaws.com'));
  return dataPolicy!.Properties.Bucket.Ref;
}

function policyDocument(template: Template) {
  return onlyResource(template, 'AWS::IAM::ManagedPolicy').properties.PolicyDocument as { Statement: Record<string, unknown>[] };
}

describe('XcomAccessPolicy', () => {
  test('object actions are granted on <bucket>/xcom/* only, bucket actions on the bucket only, without conditions', () => {
    const template = templateFor({});
    const bucket = dataBucketId(template);
    expect(policyDocument(template)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'XcomObjects', Effect: 'Allow', Action: [...OBJECT_ACTIONS].sort(), Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/xcom/*']] } },
        { Sid: 'XcomBucket', Effect: 'Allow', Action: [...BUCKET_ACTIONS].sort(), Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
      ],
    });
  });

  test('the permission lists hold exactly what the S3 client calls, no wildcard actions', () => {
    expect(OBJECT_ACTIONS).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']);
    expect(BUCKET_ACTIONS).toEqual(['s3:ListBucket', 's3:GetBucketLocation']);
    expect(KMS_ACTIONS).toEqual(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']);
    for (const action of [...OBJECT_ACTIONS, ...BUCKET_ACTIONS, ...KMS_ACTIONS]) expect(action).not.toContain('*');
  });

  test('with KMS, the key actions are granted on that key only', () => {
    const template = shippedTemplate('prod');
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(policyDocument(template).Statement).toContainEqual({
      Sid: 'XcomKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [key.logicalId, 'Arn'] },
    });
  });

  test('without KMS, no kms action is granted', () => {
    expect(JSON.stringify(policyDocument(shippedTemplate('dev')))).not.toContain('kms:');
  });

  test('a nested prefix scopes objects to that prefix', () => {
    const template = templateFor({}, { xcom: { prefix: 'teams/data/xcom' } });
    expect(policyDocument(template).Statement[0].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [dataBucketId(template), 'Arn'] }, '/teams/data/xcom/*']] });
  });

  test('a dedicated bucket with an empty prefix grants objects on <bucket>/*', () => {
    const template = templateFor({}, { xcom: { prefix: '', dedicatedBucket: true } });
    expect(policyDocument(template).Statement[0].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [dataBucketId(template), 'Arn'] }, '/*']] });
  });

  test('existing mode: each named role gets its own managed policy with the same statements, and nothing else is created', () => {
    const template = templateFor({ identity: { mode: 'existing', roleArns: [MWAA_ROLE, EKS_POD_ROLE] } });
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as { Properties: { Roles: string[]; PolicyDocument: unknown } }[];
    expect(managed.map((p) => p.Properties.Roles)).toEqual([['mwaa-execution-role'], ['airflow-worker-pod-role']]);
    expect(managed[0].Properties.PolicyDocument).toEqual(managed[1].Properties.PolicyDocument);
    for (const type of ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Policy', 'AWS::SecretsManager::Secret']) template.resourceCountIs(type, 0);
  });

  test('no customer or AWS-managed policy other than the access policy exists, and no inline policy', () => {
    for (const env of SHIPPED_ENVIRONMENTS) {
      const template = shippedTemplate(env);
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      expect(JSON.stringify(template.toJSON())).not.toContain(':iam::aws:policy/');
    }
  });
});

/** What a reviewer must see change: the identity policy, the trust policy and the bucket policy. */
describe('policy snapshots', () => {
  function policies(template: Template) {
    const bucket = dataBucketId(template);
    const bucketPolicies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as { Properties: { Bucket: { Ref: string }; PolicyDocument: unknown } }[];
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: { AssumeRolePolicyDocument: unknown } }[];
    return {
      identityPolicy: policyDocument(template),
      trustPolicy: roles.length === 1 ? roles[0].Properties.AssumeRolePolicyDocument : null,
      bucketPolicy: bucketPolicies.find((p) => p.Properties.Bucket.Ref === bucket)!.Properties.PolicyDocument,
      accessLogBucketPolicy: bucketPolicies.find((p) => p.Properties.Bucket.Ref !== bucket)?.Properties.PolicyDocument ?? null,
    };
  }

  test.each(SHIPPED_ENVIRONMENTS)('shipped environment %s', (env) => {
    expect(policies(shippedTemplate(env))).toMatchSnapshot();
  });

  test('role with external id and IRSA service account', () => {
    const template = templateFor({
      identity: { mode: 'role', trustedPrincipals: [MWAA_ROLE], externalId: 'astro-1234', eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'airflow-worker' }] },
    });
    expect(policies(template)).toMatchSnapshot();
  });

  test('existing role: the same statements in a managed policy attached to that role, no new role, no trust policy', () => {
    const template = templateFor({ identity: { mode: 'existing', roleArns: [MWAA_ROLE] } });
    template.resourceCountIs('AWS::IAM::Role', 0);
    expect(onlyResource(template, 'AWS::IAM::ManagedPolicy').properties.Roles).toEqual(['mwaa-execution-role']);
    expect(policies(template)).toMatchSnapshot();
  });
});
