import { Stack } from 'aws-cdk-lib';
import { BINDING_SCHEMA_VERSION, CONN_TYPE_BY_CLOUD, xcomObjectStoragePath } from '../binding-core';
import type { Compression } from '../rules';

/*
 * The binding of an AWS stack as jsii structs (interfaces of readonly properties, one enum): the same
 * fields as the zod schema of lib/binding.ts, which the constructs cannot import (the jsii package
 * compiles them without zod; jsii/README.md). test/aws/binding.test.ts checks that the document
 * `awsBindingDocument` renders is assignable to `AirflowBinding` and parses as one.
 */

/** How Airflow authenticates to the bucket (`identity.mode` of the binding). */
export enum XcomIdentityMode {
  /** An IAM user whose access key is stored as an Airflow connection in Secrets Manager (`XcomUserIdentity`). */
  USER = 'user',
  /** An IAM role Airflow assumes, or uses through IRSA (`XcomRoleIdentity`). */
  ROLE = 'role',
  /** Principals the user already has (`grantReadWrite`): Airflow runs with their own credentials. */
  EXISTING = 'existing',
}

/** A Kubernetes service account bound to the identity (IRSA). */
export interface XcomKubernetesServiceAccount {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Where the connection secret of identity mode `user` is stored. */
export interface XcomSecretRef {
  /** The secret store: `aws-secrets-manager`. */
  readonly store: string;
  /** Full secret name, prefix included (`airflow/connections/aws_xcoms`). */
  readonly name: string;
  /** The `connections_prefix` Airflow's secrets backend is configured with. */
  readonly connectionsPrefix: string;
  /** The secret ARN. */
  readonly id: string;
}

/** The identity of a binding: how Airflow authenticates. */
export interface XcomBindingIdentity {
  readonly mode: XcomIdentityMode;
  /** IAM user name or role ARN; in mode `existing` the first of `principals`. */
  readonly principal: string;
  /**
   * Mode `existing`: every principal granted access.
   * @default - none
   */
  readonly principals?: string[];
  /**
   * Role mode: the role ARN.
   * @default - none
   */
  readonly roleArn?: string;
  /**
   * Service accounts that use the role through IRSA.
   * @default - none
   */
  readonly kubernetesServiceAccounts?: XcomKubernetesServiceAccount[];
  /**
   * Mode `user`: the stored connection secret.
   * @default - none
   */
  readonly secret?: XcomSecretRef;
}

/** `storage` of a binding. */
export interface XcomBindingStorage {
  readonly bucket: string;
  /** Key prefix without slashes at either end; empty for a dedicated bucket. */
  readonly prefix: string;
  readonly region: string;
}

/** `xcom` of a binding: the `[common.io]` settings. */
export interface XcomBindingSettings {
  /** `xcom_objectstorage_path`: `s3://<conn_id>@<bucket>/<prefix>`. */
  readonly path: string;
  /** `xcom_objectstorage_threshold`. */
  readonly threshold: number;
  /**
   * `xcom_objectstorage_compression`.
   * @default - none (the JSON document says `null`)
   */
  readonly compression?: string;
}

/** `connection` of a binding: the Airflow connection. */
export interface XcomBindingConnection {
  readonly id: string;
  /** Airflow connection type: `aws`. */
  readonly type: string;
  /** Non-secret connection extras (`region_name`, `role_arn`). */
  readonly extra: { [key: string]: string };
}

/** The Airflow binding of an AWS storage: what `xcomkit` turns into Airflow settings. */
export interface AwsXcomBinding {
  readonly schemaVersion: number;
  /** `aws`. */
  readonly cloud: string;
  readonly environment: string;
  readonly storage: XcomBindingStorage;
  readonly xcom: XcomBindingSettings;
  readonly connection: XcomBindingConnection;
  readonly identity: XcomBindingIdentity;
}

export interface AwsBindingInput {
  readonly environment: string;
  /** Bucket name; usually a token (`Ref` of the bucket). */
  readonly bucketName: string;
  readonly prefix: string;
  readonly region: string;
  readonly connectionId: string;
  readonly threshold: number;
  /** @default - none */
  readonly compression?: string;
  readonly identity: XcomBindingIdentity;
  /**
   * Role mode: Airflow assumes the role from its default credentials (trusted principals such as an
   * MWAA execution role), so the connection carries `role_arn`. False with IRSA only: the pod's
   * web-identity credentials already are the role.
   * @default false
   */
  readonly assumeRole?: boolean;
}

/**
 * The binding of an AWS stack. Values may be CDK tokens (bucket name, role ARN, secret ARN):
 * {@link awsBindingJson} renders them as CloudFormation references.
 */
export function awsBinding(input: AwsBindingInput): AwsXcomBinding {
  const extra: Record<string, string> = { region_name: input.region };
  if (input.identity.mode === XcomIdentityMode.ROLE && input.identity.roleArn && input.assumeRole) {
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
      ...(input.compression === undefined ? {} : { compression: input.compression }),
    },
    connection: { id: input.connectionId, type: CONN_TYPE_BY_CLOUD.aws, extra },
    identity: input.identity,
  };
}

/**
 * The binding as the JSON document of the schema: `xcom.compression` is `null` when unset (the
 * schema requires the key), the identity mode a plain string.
 */
export function awsBindingDocument(binding: AwsXcomBinding) {
  const { secret, ...identity } = binding.identity;
  return {
    ...binding,
    cloud: 'aws' as const,
    schemaVersion: BINDING_SCHEMA_VERSION,
    connection: { ...binding.connection, type: CONN_TYPE_BY_CLOUD.aws },
    xcom: { path: binding.xcom.path, threshold: binding.xcom.threshold, // The storage validated the name (compressionProblem).
      compression: (binding.xcom.compression ?? null) as Compression | null },
    identity: {
      ...identity,
      mode: identity.mode as `${XcomIdentityMode}`,
      ...(secret ? { secret: { ...secret, store: secret.store as 'aws-secrets-manager' } } : {}),
    },
  };
}

/** The binding as the JSON string of the `AirflowBinding` output (tokens become Fn::Join/Ref/GetAtt). */
export function awsBindingJson(stack: Stack, binding: AwsXcomBinding): string {
  return stack.toJsonString(awsBindingDocument(binding));
}
