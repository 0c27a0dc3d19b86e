/**
 * Least privilege proven by evaluation: the synthesized identity policy and bucket policy, with
 * their CloudFormation references resolved for a concrete deployment, are evaluated by an IAM
 * policy simulator (@cloud-copilot/iam-simulate) over a matrix of requests Airflow makes and
 * requests it must not be able to make.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';
import { MWAA_ROLE, OIDC_PROVIDER, onlyResource, shippedTemplate, templateFor } from './helpers';
import { resolveIntrinsics, type Deployment } from './intrinsics';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const BUCKET = 'acme-airflow-xcoms';
const LOG_BUCKET = 'acme-airflow-xcoms-logs';
const OTHER_BUCKET = 'someone-elses-bucket';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-8888-7777-6666-555555555555`;
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:airflow/connections/aws_xcoms-AbCdEf`;

type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
type PolicyDocument = { Version: string; Statement: unknown[] };

interface Evaluated {
  readonly principal: string;
  readonly identityPolicy: PolicyDocument;
  readonly bucketPolicy: PolicyDocument;
  readonly logBucketPolicy?: PolicyDocument;
  readonly keyPolicy?: PolicyDocument;
}

/** Resolves the template's policies as if deployed into ACCOUNT with bucket name BUCKET. */
function deploy(template: Template): Evaluated {
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  let principal = '';
  for (const [id, resource] of Object.entries(json.Resources)) {
    switch (resource.Type) {
      case 'AWS::S3::Bucket': {
        const name = resource.Properties.LoggingConfiguration || !hasLogBucket(json) ? BUCKET : LOG_BUCKET;
        refs[id] = name;
        attributes[`${id}.Arn`] = `arn:aws:s3:::${name}`;
        break;
      }
      case 'AWS::KMS::Key':
        refs[id] = KEY_ARN.split('/')[1];
        attributes[`${id}.Arn`] = KEY_ARN;
        break;
      case 'AWS::IAM::User':
        refs[id] = resource.Properties.UserName;
        principal = `arn:aws:iam::${ACCOUNT}:user/${resource.Properties.UserName}`;
        break;
      case 'AWS::IAM::Role':
        principal = `arn:aws:iam::${ACCOUNT}:role/${resource.Properties.RoleName}`;
        attributes[`${id}.Arn`] = principal;
        break;
      case 'AWS::IAM::ManagedPolicy':
        refs[id] = `arn:aws:iam::${ACCOUNT}:policy/${resource.Properties.ManagedPolicyName}`;
        // Identity mode existing: the policy is attached to a role the stack did not create.
        for (const role of resource.Properties.Roles ?? []) if (typeof role === 'string') principal = `arn:aws:iam::${ACCOUNT}:role/${role}`;
        break;
    }
  }
  const deployment: Deployment = { partition: 'aws', region: REGION, accountId: ACCOUNT, refs, attributes };
  const resolve = (doc: unknown) => resolveIntrinsics(doc, deployment) as PolicyDocument;
  const bucketPolicies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as { Properties: { Bucket: { Ref: string }; PolicyDocument: unknown } }[];
  const policyOf = (name: string) => {
    const found = bucketPolicies.find((p) => refs[p.Properties.Bucket.Ref] === name);
    return found ? resolve(found.Properties.PolicyDocument) : undefined;
  };
  const keys = Object.values(template.findResources('AWS::KMS::Key')) as { Properties: { KeyPolicy: unknown } }[];
  return {
    principal,
    identityPolicy: resolve(onlyResource(template, 'AWS::IAM::ManagedPolicy').properties.PolicyDocument),
    bucketPolicy: policyOf(BUCKET)!,
    logBucketPolicy: policyOf(LOG_BUCKET),
    keyPolicy: keys.length === 1 ? resolve(keys[0].Properties.KeyPolicy) : undefined,
  };
}

function hasLogBucket(json: { Resources: Record<string, { Type: string }> }): boolean {
  return Object.values(json.Resources).filter((r) => r.Type === 'AWS::S3::Bucket').length > 1;
}

/** A default key policy for a key that is not the stack's: the account may delegate through IAM. */
const OTHER_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

interface Case {
  readonly name: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  readonly expected: Decision;
}

const TLS = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.2' };
const obj = (key: string, bucket = BUCKET) => `arn:aws:s3:::${bucket}/${key}`;
const XCOM_KEY = 'xcom/my_dag/manual__2025-01-01T00:00:00+00:00/extract/6f1c2d3e.json.gz';

/** Requests every identity mode must answer the same way. */
const S3_CASES: Case[] = [
  // What Airflow's S3 client does: allowed.
  { name: 'GetObject (HeadObject) of an XCom under the prefix', action: 's3:GetObject', resource: obj(XCOM_KEY), expected: 'Allowed' },
  { name: 'PutObject (and multipart parts) under the prefix', action: 's3:PutObject', resource: obj(XCOM_KEY), expected: 'Allowed' },
  { name: 'DeleteObject (purge) under the prefix', action: 's3:DeleteObject', resource: obj(XCOM_KEY), expected: 'Allowed' },
  { name: 'AbortMultipartUpload under the prefix', action: 's3:AbortMultipartUpload', resource: obj(XCOM_KEY), expected: 'Allowed' },
  { name: 'ListMultipartUploadParts under the prefix', action: 's3:ListMultipartUploadParts', resource: obj(XCOM_KEY), expected: 'Allowed' },
  { name: 'ListBucket without a prefix (s3fs bucket existence check)', action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, expected: 'Allowed' },
  { name: 'ListBucket with the key as prefix (s3fs exists() probe)', action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': `${XCOM_KEY}/` }, expected: 'Allowed' },
  { name: 'GetBucketLocation on the bucket', action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${BUCKET}`, expected: 'Allowed' },
  { name: 'GetObject over TLS 1.3', action: 's3:GetObject', resource: obj(XCOM_KEY), context: { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' }, expected: 'Allowed' },
  // Outside the prefix, the bucket or the action list: denied.
  { name: 'GetObject outside the prefix', action: 's3:GetObject', resource: obj('other/data.csv'), expected: 'ImplicitlyDenied' },
  { name: 'PutObject under a sibling prefix sharing the name start', action: 's3:PutObject', resource: obj('xcom-archive/x.json'), expected: 'ImplicitlyDenied' },
  { name: 'PutObject at the bucket root', action: 's3:PutObject', resource: obj('x.json'), expected: 'ImplicitlyDenied' },
  { name: 'GetObject in another bucket', action: 's3:GetObject', resource: obj(XCOM_KEY, OTHER_BUCKET), expected: 'ImplicitlyDenied' },
  { name: 'PutObject in another bucket', action: 's3:PutObject', resource: obj(XCOM_KEY, OTHER_BUCKET), expected: 'ImplicitlyDenied' },
  { name: 'ListBucket on another bucket', action: 's3:ListBucket', resource: `arn:aws:s3:::${OTHER_BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'GetObject in the access-log bucket', action: 's3:GetObject', resource: obj('xcom-bucket/2025-01-01-00-00-00-ABC', LOG_BUCKET), expected: 'ImplicitlyDenied' },
  { name: 'GetObjectVersion under the prefix', action: 's3:GetObjectVersion', resource: obj(XCOM_KEY), expected: 'ImplicitlyDenied' },
  { name: 'DeleteObjectVersion under the prefix', action: 's3:DeleteObjectVersion', resource: obj(XCOM_KEY), expected: 'ImplicitlyDenied' },
  { name: 'PutObjectAcl under the prefix', action: 's3:PutObjectAcl', resource: obj(XCOM_KEY), expected: 'ImplicitlyDenied' },
  { name: 'GetObjectAcl under the prefix', action: 's3:GetObjectAcl', resource: obj(XCOM_KEY), expected: 'ImplicitlyDenied' },
  { name: 'ListBucketVersions on the bucket', action: 's3:ListBucketVersions', resource: `arn:aws:s3:::${BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'DeleteBucket', action: 's3:DeleteBucket', resource: `arn:aws:s3:::${BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'PutBucketPolicy', action: 's3:PutBucketPolicy', resource: `arn:aws:s3:::${BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'PutLifecycleConfiguration', action: 's3:PutLifecycleConfiguration', resource: `arn:aws:s3:::${BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'PutBucketVersioning', action: 's3:PutBucketVersioning', resource: `arn:aws:s3:::${BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'PutEncryptionConfiguration', action: 's3:PutEncryptionConfiguration', resource: `arn:aws:s3:::${BUCKET}`, expected: 'ImplicitlyDenied' },
  { name: 'CreateBucket', action: 's3:CreateBucket', resource: 'arn:aws:s3:::a-new-bucket', expected: 'ImplicitlyDenied' },
  // Transport: the bucket policy denies plain HTTP and TLS below 1.2, whatever the identity allows.
  { name: 'GetObject without TLS', action: 's3:GetObject', resource: obj(XCOM_KEY), context: { 'aws:SecureTransport': 'false' }, expected: 'ExplicitlyDenied' },
  { name: 'PutObject without TLS', action: 's3:PutObject', resource: obj(XCOM_KEY), context: { 'aws:SecureTransport': 'false' }, expected: 'ExplicitlyDenied' },
  { name: 'ListBucket without TLS', action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, context: { 'aws:SecureTransport': 'false' }, expected: 'ExplicitlyDenied' },
  { name: 'PutObject over TLS 1.1', action: 's3:PutObject', resource: obj(XCOM_KEY), context: { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.1' }, expected: 'ExplicitlyDenied' },
  { name: 'GetBucketLocation over TLS 1.0', action: 's3:GetBucketLocation', resource: `arn:aws:s3:::${BUCKET}`, context: { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.0' }, expected: 'ExplicitlyDenied' },
  // Other services: nothing.
  { name: 'iam:CreateAccessKey', action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/airflow-xcoms-dev`, expected: 'ImplicitlyDenied' },
  { name: 'iam:AttachUserPolicy', action: 'iam:AttachUserPolicy', resource: `arn:aws:iam::${ACCOUNT}:user/airflow-xcoms-dev`, expected: 'ImplicitlyDenied' },
  { name: 'iam:PassRole', action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, expected: 'ImplicitlyDenied' },
  { name: 'secretsmanager:GetSecretValue on the connection secret', action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN, expected: 'ImplicitlyDenied' },
  { name: 'kms:Decrypt on another key', action: 'kms:Decrypt', resource: OTHER_KEY_ARN, expected: 'ImplicitlyDenied' },
  { name: 'kms:CreateGrant on another key', action: 'kms:CreateGrant', resource: OTHER_KEY_ARN, expected: 'ImplicitlyDenied' },
];

function kmsCases(kmsMode: boolean): Case[] {
  const onKey = kmsMode ? 'Allowed' : 'ImplicitlyDenied';
  return [
    { name: `kms:GenerateDataKey on the bucket key (${kmsMode ? 'KMS' : 'no KMS'})`, action: 'kms:GenerateDataKey', resource: KEY_ARN, expected: onKey },
    { name: `kms:Decrypt on the bucket key (${kmsMode ? 'KMS' : 'no KMS'})`, action: 'kms:Decrypt', resource: KEY_ARN, expected: onKey },
    { name: `kms:Encrypt on the bucket key (${kmsMode ? 'KMS' : 'no KMS'})`, action: 'kms:Encrypt', resource: KEY_ARN, expected: onKey },
    { name: 'kms:ScheduleKeyDeletion on the bucket key', action: 'kms:ScheduleKeyDeletion', resource: KEY_ARN, expected: 'ImplicitlyDenied' },
    { name: 'kms:PutKeyPolicy on the bucket key', action: 'kms:PutKeyPolicy', resource: KEY_ARN, expected: 'ImplicitlyDenied' },
  ];
}

async function evaluate(target: Evaluated, c: Case): Promise<Decision> {
  let resourcePolicy: PolicyDocument | undefined;
  if (c.resource.startsWith(`arn:aws:s3:::${BUCKET}/`) || c.resource === `arn:aws:s3:::${BUCKET}`) resourcePolicy = target.bucketPolicy;
  else if (c.resource.startsWith(`arn:aws:s3:::${LOG_BUCKET}`)) resourcePolicy = target.logBucketPolicy;
  else if (c.resource === KEY_ARN) resourcePolicy = target.keyPolicy ?? OTHER_KEY_POLICY;
  else if (c.resource === OTHER_KEY_ARN) resourcePolicy = OTHER_KEY_POLICY;
  const isS3 = c.action.startsWith('s3:');
  const simulation: Simulation = {
    request: {
      principal: target.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: ACCOUNT },
      contextVariables: { ...(isS3 ? TLS : { 'aws:SecureTransport': 'true' }), ...c.context },
    },
    identityPolicies: [{ name: 'xcom-access', policy: target.identityPolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation of "${c.name}" failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

async function decisions(target: Evaluated, cases: Case[]) {
  const out: { name: string; decision: Decision }[] = [];
  for (const c of cases) out.push({ name: c.name, decision: await evaluate(target, c) });
  return out;
}

describe('least privilege, evaluated by an IAM policy simulator', () => {
  test.each([
    ['dev (IAM user, SSE-S3, no access logs)', () => shippedTemplate('dev'), false],
    ['staging (IAM user, SSE-S3, access logs)', () => shippedTemplate('staging'), false],
    ['prod (role for the MWAA execution role, KMS)', () => shippedTemplate('prod'), true],
    [
      'an IRSA role with KMS',
      () => templateFor({ encryption: { type: 'kms' }, identity: { mode: 'role', eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'worker' }] } }),
      true,
    ],
    ['existing role (the MWAA execution role itself, no AssumeRole hop) with KMS', () => templateFor({ encryption: { type: 'kms' }, identity: { mode: 'existing', roleArns: [MWAA_ROLE] } }), true],
  ] as const)('%s: every request is decided as expected', async (_name, build, kmsMode) => {
    // GIVEN the synthesized policies resolved for a concrete deployment
    const target = deploy(build());
    expect(target.principal).not.toBe('');
    const cases = [...S3_CASES, ...kmsCases(kmsMode)];
    expect(cases.length).toBeGreaterThanOrEqual(25);
    // WHEN each request is evaluated
    const actual = await decisions(target, cases);
    // THEN each decision is the expected one (compared as a table, so a failure lists every mismatch)
    expect(actual).toEqual(cases.map((c) => ({ name: c.name, decision: c.expected })));
  });

  test('a ListBucket restricted by an s3:prefix condition would fail the s3fs bucket check (why the kit has none)', async () => {
    // GIVEN a policy in the style of a prefix-conditioned ListBucket
    const target = deploy(shippedTemplate('dev'));
    const conditioned: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}`, Condition: { StringLike: { 's3:prefix': 'xcom/*' } } }],
    };
    // THEN a list without a prefix (what s3fs sends) is denied, while the kit's policy allows it
    const listing: Case = { name: 'list', action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, expected: 'Allowed' };
    expect(await evaluate({ ...target, identityPolicy: conditioned }, listing)).toBe('ImplicitlyDenied');
    expect(await evaluate(target, listing)).toBe('Allowed');
  });
});
