import { CfnOutput, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BINDING_OUTPUT_CFN, type BindingIdentity } from '../binding';
import { defaultAwsConnectionsPrefix, type AwsSettings, type EnvironmentConfig } from '../config';
import { XcomAccessPolicy } from './access-policy';
import { awsBinding, awsBindingJson } from './binding';
import { XcomBucket } from './bucket';
import { XcomRoleIdentity, XcomUserIdentity } from './identity';

/** Default stack name of an environment. */
export function defaultStackName(environment: string): string {
  return `AirflowXcoms-${environment}`;
}

/** Output keys besides {@link BINDING_OUTPUT_CFN}; documented in docs/aws.md. */
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

/** One environment's XCom storage on AWS: the bucket, the identity Airflow uses, and the binding. */
export class AirflowXcomsStack extends Stack {
  public readonly storage: XcomBucket;
  public readonly access: XcomAccessPolicy;
  public readonly userIdentity?: XcomUserIdentity;
  public readonly roleIdentity?: XcomRoleIdentity;

  constructor(scope: Construct, id: string, props: AirflowXcomsStackProps) {
    super(scope, id, props);
    const { environment, config } = props;
    const aws = config.aws;
    const prefix = config.xcom.prefix;

    this.storage = new XcomBucket(this, 'Xcoms', {
      prefix,
      retention: config.retention,
      removalPolicy: config.removalPolicy,
      bucketName: aws.bucketName,
      kms: aws.encryption.type === 'kms',
      existingKeyArn: aws.encryption.type === 'kms' ? aws.encryption.existingKeyArn : undefined,
      accessLogs: aws.accessLogs,
      accessLogsRetentionDays: aws.accessLogsRetentionDays,
    });
    const bucket = this.storage.bucket;

    const identityName = aws.identity.mode === 'user' ? `${aws.identity.userName}-${environment}` : (aws.identity.roleName ?? `airflow-xcoms-${environment}`);
    this.access = new XcomAccessPolicy(this, 'Access', {
      bucket,
      prefix,
      key: this.storage.key,
      managedPolicyName: `${identityName}-xcom-access`,
    });
    Validations.of(this.access.policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${iam5ResourceFinding(this, bucket.node.defaultChild as Construct, prefix)}]`,
      reason:
        'Airflow writes one object per XCom under a generated key (<dag_id>/<run_id>/<task_id>/<uuid>), so object actions need a wildcard; it is confined to the XCom prefix of this one bucket, and the actions are listed one by one.',
    });

    let identity: BindingIdentity;
    let assumeRole = false;
    if (aws.identity.mode === 'user') {
      const connectionsPrefix = aws.identity.connectionsPrefix ?? defaultAwsConnectionsPrefix(environment);
      const user = new XcomUserIdentity(this, 'Identity', {
        policy: this.access.policy,
        userName: identityName,
        connectionsPrefix,
        connectionId: aws.connectionId,
        region: aws.region,
      });
      this.userIdentity = user;
      identity = {
        mode: 'user',
        principal: user.user.userName,
        secret: { store: 'aws-secrets-manager', name: user.secretName, connectionsPrefix, id: user.secret.secretArn },
      };
      new CfnOutput(this, OUTPUTS.userName, { value: user.user.userName, description: 'IAM user whose access key Airflow uses' });
      new CfnOutput(this, OUTPUTS.secretName, { value: user.secretName, description: 'Secrets Manager secret holding the Airflow connection JSON' });
      new CfnOutput(this, OUTPUTS.secretArn, { value: user.secret.secretArn, description: 'ARN of that secret' });
    } else {
      const roleIdentity = new XcomRoleIdentity(this, 'Identity', {
        policy: this.access.policy,
        roleName: identityName,
        trust: { arns: aws.identity.trustedPrincipals, externalId: aws.identity.externalId, eks: aws.identity.eks },
        maxSessionHours: aws.identity.maxSessionHours,
      });
      this.roleIdentity = roleIdentity;
      const roleArn = roleIdentity.role.roleArn;
      assumeRole = aws.identity.trustedPrincipals.length > 0;
      identity = {
        mode: 'role',
        principal: roleArn,
        roleArn,
        ...(aws.identity.eks.length > 0
          ? { kubernetesServiceAccounts: aws.identity.eks.map((sa) => ({ namespace: sa.namespace, serviceAccount: sa.serviceAccount })) }
          : {}),
      };
      new CfnOutput(this, OUTPUTS.roleArn, { value: roleArn, description: 'IAM role Airflow uses (assumed, or through IRSA)' });
    }

    const binding = awsBinding({
      environment,
      bucketName: bucket.bucketName,
      prefix,
      region: aws.region,
      connectionId: aws.connectionId,
      threshold: config.xcom.threshold,
      compression: config.xcom.compression,
      identity,
      assumeRole,
    });
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
    new CfnOutput(this, BINDING_OUTPUT_CFN, {
      value: awsBindingJson(this, binding),
      description: 'Airflow binding (JSON) read by the xcomkit command',
    });

    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);
  }
}

/**
 * The resource string cdk-nag reports for `<bucket arn>/<prefix>/*` (`<LogicalId.Arn>/xcom/*`), so
 * the acknowledgement names exactly that finding and nothing broader.
 */
function iam5ResourceFinding(stack: Stack, cfnBucket: Construct, prefix: string): string {
  const logicalId = stack.resolve((cfnBucket as unknown as { logicalId: string }).logicalId);
  return `<${logicalId}.Arn>/${prefix === '' ? '*' : `${prefix}/*`}`;
}
