import { Match } from 'aws-cdk-lib/assertions';
import { onlyResource, shippedTemplate, SHIPPED_ENVIRONMENTS, templateFor } from './helpers';

const ALL_BLOCKED = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };

/** The data bucket is the one with lifecycle rule `expire-xcom-objects`. */
function dataBucket(template: ReturnType<typeof templateFor>) {
  const buckets = Object.entries(template.findResources('AWS::S3::Bucket', {
    Properties: { LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-xcom-objects' })]) } },
  }));
  expect(buckets).toHaveLength(1);
  const [logicalId, resource] = buckets[0];
  return { logicalId, resource: resource as { Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string } };
}

describe('XcomBucket', () => {
  describe.each(SHIPPED_ENVIRONMENTS)('shipped environment %s', (env) => {
    test('the data bucket is versioned, private, owner-enforced and TLS 1.2 only', () => {
      const template = shippedTemplate(env);
      const { logicalId, resource } = dataBucket(template);
      expect(resource.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: ALL_BLOCKED,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      const arn = { 'Fn::GetAtt': [logicalId, 'Arn'] };
      const bucketAndObjects = [arn, { 'Fn::Join': ['', [arn, '/*']] }];
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: bucketAndObjects }),
            Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Resource: bucketAndObjects }),
          ]),
        },
      });
    });

    test('no Lambda function is created (autoDeleteObjects is never used)', () => {
      const template = shippedTemplate(env);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    });
  });

  test('dev: retention 7/1 days, destroyed with the stack, no access-log bucket, SSE-S3', () => {
    const template = shippedTemplate('dev');
    const { resource } = dataBucket(template);
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.UpdateReplacePolicy).toBe('Delete');
    expect(resource.Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-xcom-objects', Prefix: 'xcom/', ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' },
      { Id: 'remove-expired-delete-markers', Prefix: 'xcom/', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
      { Id: 'abort-incomplete-multipart-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
    expect(resource.Properties.LoggingConfiguration).toBeUndefined();
    expect(resource.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('staging: retention 14/3 days, destroyed with the stack, access logs on', () => {
    const template = shippedTemplate('staging');
    const { resource } = dataBucket(template);
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 14, NoncurrentVersionExpiration: { NoncurrentDays: 3 } });
    expect(resource.Properties.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'xcom-bucket/' });
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('prod: retained on stack deletion, encrypted with a rotating customer key and a bucket key', () => {
    const template = shippedTemplate('prod');
    const { resource } = dataBucket(template);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(key.properties.EnableKeyRotation).toBe(true);
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key.logicalId, 'Arn'] } } },
    ]);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('the access-log bucket is itself secure, SSE-S3, expires its logs and admits only S3 logging for the data bucket', () => {
    // GIVEN access logs on (the default) with a custom retention
    const template = templateFor({ accessLogsRetentionDays: 30 });
    // THEN
    const { logicalId: dataId } = dataBucket(template);
    const logs = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => id !== dataId);
    expect(logs).toHaveLength(1);
    const [logId, log] = logs[0] as [string, { Properties: Record<string, any>; DeletionPolicy: string }];
    expect(log.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: ALL_BLOCKED,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(log.Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-access-logs', ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' },
      { Id: 'remove-expired-delete-markers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
      { Id: 'abort-incomplete-multipart-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
    expect(log.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logId } } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [dataId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  test('noncurrent versions can keep a number of newer versions', () => {
    const template = templateFor({}, { retention: { currentDays: 10, noncurrentDays: 2, noncurrentNewerVersions: 3 } });
    const { resource } = dataBucket(template);
    expect(resource.Properties.LifecycleConfiguration.Rules[0]).toEqual({
      Id: 'expire-xcom-objects',
      Prefix: 'xcom/',
      ExpirationInDays: 10,
      NoncurrentVersionExpiration: { NoncurrentDays: 2, NewerNoncurrentVersions: 3 },
      Status: 'Enabled',
    });
  });

  test('the expired-delete-marker rule never shares a rule with an expiration in days', () => {
    const { resource } = dataBucket(templateFor({}));
    for (const rule of resource.Properties.LifecycleConfiguration.Rules) {
      expect(rule.ExpiredObjectDeleteMarker && rule.ExpirationInDays).toBeFalsy();
    }
  });

  test('the abort-multipart rule has no filter, whatever the prefix (checkov CKV_AWS_300)', () => {
    const { resource } = dataBucket(templateFor({}, { xcom: { prefix: 'airflow/xcom' } }));
    const abort = resource.Properties.LifecycleConfiguration.Rules.find((r: { Id: string }) => r.Id === 'abort-incomplete-multipart-uploads');
    expect(abort).toEqual({ Id: 'abort-incomplete-multipart-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' });
    expect(resource.Properties.LifecycleConfiguration.Rules[0].Prefix).toBe('airflow/xcom/');
  });

  test('a dedicated bucket with an empty prefix gets lifecycle rules on the whole bucket', () => {
    const { resource } = dataBucket(templateFor({}, { xcom: { prefix: '', dedicatedBucket: true } }));
    for (const rule of resource.Properties.LifecycleConfiguration.Rules) expect(rule.Prefix).toBeUndefined();
  });

  test('a configured bucket name is used as is', () => {
    const { resource } = dataBucket(templateFor({ bucketName: 'acme-airflow-xcoms-test' }));
    expect(resource.Properties.BucketName).toBe('acme-airflow-xcoms-test');
  });

  test('an existing KMS key is used without creating one', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const template = templateFor({ encryption: { type: 'kms', existingKeyArn: keyArn } });
    template.resourceCountIs('AWS::KMS::Key', 0);
    const { resource } = dataBucket(template);
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
    });
  });

  test('environment tags are applied to the buckets', () => {
    const template = shippedTemplate('prod');
    const { resource } = dataBucket(template);
    expect(resource.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'app', Value: 'airflow-xcoms' }, { Key: 'env', Value: 'prod' }]));
  });
});
