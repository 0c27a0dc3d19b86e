import { Stack } from 'aws-cdk-lib';
import { BINDING_SCHEMA_VERSION, CONN_TYPE_BY_CLOUD, xcomObjectStoragePath, type AirflowBinding, type BindingIdentity } from '../binding';

export interface AwsBindingInput {
  readonly environment: string;
  /** Bucket name; usually a token (`Ref` of the bucket). */
  readonly bucketName: string;
  readonly prefix: string;
  readonly region: string;
  readonly connectionId: string;
  readonly threshold: number;
  readonly compression: AirflowBinding['xcom']['compression'];
  readonly identity: BindingIdentity;
  /**
   * Role mode: Airflow assumes the role from its default credentials (trusted principals such as an
   * MWAA execution role), so the connection carries `role_arn`. False with IRSA only: the pod's
   * web-identity credentials already are the role.
   * @default false
   */
  readonly assumeRole?: boolean;
}

/**
 * The `AirflowBinding` of an AWS stack. Values may be CDK tokens (bucket name, role ARN, secret ARN):
 * {@link awsBindingJson} renders them as CloudFormation references.
 */
export function awsBinding(input: AwsBindingInput): AirflowBinding {
  const extra: Record<string, string> = { region_name: input.region };
  if (input.identity.mode === 'role' && input.identity.roleArn && input.assumeRole) {
    extra.role_arn = input.identity.roleArn;
  }
  return {
    schemaVersion: BINDING_SCHEMA_VERSION,
    cloud: 'aws',
    environment: input.environment,
    storage: { bucket: input.bucketName, prefix: input.prefix, region: input.region },
    xcom: {
      // The bucket name is usually a string token: concatenated, it renders as a Fn::Join with its Ref.
      path: xcomObjectStoragePath('aws', input.connectionId, input.bucketName, input.prefix),
      threshold: input.threshold,
      compression: input.compression,
    },
    connection: { id: input.connectionId, type: CONN_TYPE_BY_CLOUD.aws, extra },
    identity: input.identity,
  };
}

/** The binding as the JSON string of the `AirflowBinding` output (tokens become Fn::Join/Ref/GetAtt). */
export function awsBindingJson(stack: Stack, binding: AirflowBinding): string {
  return stack.toJsonString(binding);
}
