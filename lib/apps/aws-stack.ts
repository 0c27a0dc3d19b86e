import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { XcomAccessPolicy } from '../aws/access-policy';
import { XcomRoleIdentity, XcomUserIdentity } from '../aws/identity';
import { AirflowXcomStorage } from '../aws/xcom-storage';
import { defaultAwsConnectionsPrefix, type AwsSettings, type EnvironmentConfig } from '../config';

/** Default stack name of an environment. */
export function defaultStackName(environment: string): string {
  return `AirflowXcoms-${environment}`;
}

/** Output keys besides the binding (`AirflowBinding`); documented in docs/aws.md. */
export const OUTPUTS = {
  bucket: 'BucketName',
  region: 'Region',
  prefix: 'Prefix',
  connectionId: 'ConnectionId',
  path: 'XcomObjectStoragePath',
  threshold: 'XcomObjectStorageThreshold',
  compression: 'XcomObjectStorageCompression',
  userName: 'UserName',
  secretArn: 'ConnectionSecretArn',
  secretName: 'ConnectionSecretName',
  roleArn: 'RoleArn',
} as const;

export interface AirflowXcomsStackProps extends StackProps {
  /** Environment name (dev, staging, prod, ...): suffix of IAM names, part of the binding. */
  readonly environment: string;
  /** The validated environment; its `aws` section must be present. */
  readonly config: EnvironmentConfig & { aws: AwsSettings };
}

/**
 * One environment's XCom storage on AWS, mapped from the validated config onto the constructs: the
 * storage, the identity Airflow uses (a new user or role, or grants to existing roles), the binding
 * output and the plain outputs. Construct ids are those of earlier releases, so logical ids (and so
 * deployed resources) stay the same.
 */
export class AirflowXcomsStack extends Stack {
  public readonly storage: AirflowXcomStorage;
  public readonly access?: XcomAccessPolicy;
  public readonly userIdentity?: XcomUserIdentity;
  public readonly roleIdentity?: XcomRoleIdentity;

  constructor(scope: Construct, id: string, props: AirflowXcomsStackProps) {
    super(scope, id, props);
    const { environment, config } = props;
    const aws = config.aws;
    const prefix = config.xcom.prefix;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const encryption = aws.encryption;

    this.storage = new AirflowXcomStorage(this, 'Xcoms', {
      prefix,
      expiration: Duration.days(config.retention.currentDays),
      noncurrentVersionExpiration: Duration.days(config.retention.noncurrentDays),
      noncurrentVersionsToRetain: config.retention.noncurrentNewerVersions,
      removalPolicy,
      bucketName: aws.bucketName,
      encryptionKey: encryption.type === 'kms' && encryption.existingKeyArn ? kms.Key.fromKeyArn(this, 'ExistingKey', encryption.existingKeyArn) : undefined,
      createEncryptionKey: encryption.type === 'kms' && !encryption.existingKeyArn,
      serverAccessLogs: aws.accessLogs,
      serverAccessLogsRetention: Duration.days(aws.accessLogsRetentionDays),
      connectionId: aws.connectionId,
      threshold: config.xcom.threshold,
      compression: config.xcom.compression ?? 'none',
      environment,
    });
    const storage = this.storage;
    const bucket = storage.bucket;
    const identity = aws.identity;

    if (identity.mode === 'existing') {
      // No new principal: the least-privilege statements go straight onto the named roles.
      identity.roleArns.forEach((arn, index) => {
        storage.grantReadWrite(iam.Role.fromRoleArn(this, `ExistingRole${index}`, arn, { mutable: true }));
      });
      new CfnOutput(this, OUTPUTS.roleArn, { value: identity.roleArns.join(','), description: 'Existing IAM roles granted access (Airflow runs as one of them)' });
    } else {
      const identityName = identity.mode === 'user' ? `${identity.userName}-${environment}` : (identity.roleName ?? `airflow-xcoms-${environment}`);
      this.access = new XcomAccessPolicy(this, 'Access', { storage, managedPolicyName: `${identityName}-xcom-access` });
      const policy = this.access.policy;
      if (identity.mode === 'user') {
        const user = new XcomUserIdentity(this, 'Identity', {
          storage,
          policy,
          userName: identityName,
          connectionsPrefix: identity.connectionsPrefix ?? defaultAwsConnectionsPrefix(environment),
        });
        this.userIdentity = user;
        new CfnOutput(this, OUTPUTS.userName, { value: user.user.userName, description: 'IAM user whose access key Airflow uses' });
        new CfnOutput(this, OUTPUTS.secretName, { value: user.secretName, description: 'Secrets Manager secret holding the Airflow connection JSON' });
        new CfnOutput(this, OUTPUTS.secretArn, { value: user.secret.secretArn, description: 'ARN of that secret' });
      } else {
        this.roleIdentity = new XcomRoleIdentity(this, 'Identity', {
          storage,
          policy,
          roleName: identityName,
          trustedPrincipalArns: identity.trustedPrincipals,
          externalId: identity.externalId,
          eksServiceAccounts: identity.eks,
          maxSessionDuration: Duration.hours(identity.maxSessionHours),
        });
        new CfnOutput(this, OUTPUTS.roleArn, { value: this.roleIdentity.role.roleArn, description: 'IAM role Airflow uses (assumed, or through IRSA)' });
      }
    }

    const binding = storage.binding;
    new CfnOutput(this, OUTPUTS.bucket, { value: bucket.bucketName, description: 'XCom bucket' });
    new CfnOutput(this, OUTPUTS.region, { value: aws.region, description: 'Region of the bucket' });
    new CfnOutput(this, OUTPUTS.prefix, { value: prefix === '' ? '(none: dedicated bucket)' : prefix, description: 'Key prefix of the XCom objects' });
    new CfnOutput(this, OUTPUTS.connectionId, { value: aws.connectionId, description: 'Airflow connection id' });
    new CfnOutput(this, OUTPUTS.path, { value: binding.xcom.path, description: 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH' });
    new CfnOutput(this, OUTPUTS.threshold, { value: String(binding.xcom.threshold), description: 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD' });
    new CfnOutput(this, OUTPUTS.compression, {
      value: binding.xcom.compression ?? 'none',
      description: 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION ("none": leave unset)',
    });
    storage.addBindingOutput();

    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);
  }
}
