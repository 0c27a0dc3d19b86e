import { z } from 'zod';
import { AWS_REGION, CONNECTIONS_PREFIX, s3BucketNameProblems } from '../rules';
import { connectionIdSchema, kubernetesServiceAccountFields } from './common';

export { AWS_REGION, s3BucketNameProblems } from '../rules';

const ACCOUNT_ID = /^\d{12}$/;
const IAM_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** Principals that may assume the role: a role/user ARN or an account root ARN; no wildcards. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[A-Za-z0-9+=,.@_\/-]+|user\/[A-Za-z0-9+=,.@_\/-]+)$/;
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[A-Za-z0-9.\/_-]+$/;
/** 64 (IAM limit) - 21 ("-" plus an environment name of up to 20 characters). */
const USER_NAME_MAX = 43;

export const s3BucketNameSchema = z.string().superRefine((name, ctx) => {
  const problems = s3BucketNameProblems(name);
  if (problems.length > 0) ctx.addIssue({ code: 'custom', message: `is not a valid S3 bucket name: it ${problems.join('; it ')}` });
});

const userIdentitySchema = z
  .object({
    mode: z.literal('user'),
    /**
     * IAM user name; the environment name is appended (`airflow-xcoms-prod`), so at most 43
     * characters (IAM allows 64; an environment name adds up to 21).
     */
    userName: z
      .string()
      .regex(IAM_NAME, { message: 'must be 1-64 characters of letters, digits and +=,.@_-' })
      .max(USER_NAME_MAX, { message: `must be at most ${USER_NAME_MAX} characters: "-<environment>" is appended and IAM user names hold at most 64` })
      .default('airflow-xcoms'),
    /**
     * Secrets Manager prefix that Airflow's SecretsManagerBackend reads connections from. Defaults to
     * `airflow/<env>/connections` (see {@link defaultAwsConnectionsPrefix}), so environments deployed
     * to one account and region do not claim the same secret name.
     */
    connectionsPrefix: z
      .string()
      .regex(CONNECTIONS_PREFIX['aws-secrets-manager'].pattern, { message: CONNECTIONS_PREFIX['aws-secrets-manager'].rule })
      .refine((p) => !p.endsWith('/'), { message: 'must not end with "/"' })
      .optional(),
  })
  .strict();

const eksServiceAccountSchema = z
  .object({
    /** ARN of the cluster's IAM OIDC provider (IRSA). */
    oidcProviderArn: z.string().regex(OIDC_PROVIDER_ARN, { message: 'must be an IAM OIDC provider ARN, e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE' }),
    ...kubernetesServiceAccountFields,
  })
  .strict();

const roleIdentitySchema = z
  .object({
    mode: z.literal('role'),
    /** Role name; defaults to `airflow-xcoms-<env>`. */
    roleName: z.string().regex(IAM_NAME, { message: 'must be 1-64 characters of letters, digits and +=,.@_-' }).optional(),
    /** Role, user or account-root ARNs allowed to assume the role (e.g. an MWAA execution role). */
    trustedPrincipals: z
      .array(z.string().regex(PRINCIPAL_ARN, { message: 'must be an IAM role, user or account root ARN (no wildcards)' }))
      .default([]),
    /** Required `sts:ExternalId` for the trusted principals (third-party platforms). */
    externalId: z.string().min(2).max(1224).regex(/^[\w+=,.@:\/-]+$/).optional(),
    /** Kubernetes service accounts on EKS allowed to assume the role through IRSA. */
    eks: z.array(eksServiceAccountSchema).default([]),
    /** Maximum session length in hours. */
    maxSessionHours: z.number().int().min(1).max(12).default(1),
  })
  .strict()
  .refine((r) => r.trustedPrincipals.length > 0 || r.eks.length > 0, {
    message: 'a role needs at least one entry in trustedPrincipals or eks: nobody could assume it otherwise',
  });

/** IAM role ARNs only: a user or account root has no credentials Airflow could run with here. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_\/-]+$/;

const existingIdentitySchema = z
  .object({
    mode: z.literal('existing'),
    /**
     * Roles Airflow already runs as (an MWAA execution role, an EKS pod role, ...): each gets the
     * least-privilege statements as a customer-managed policy of its own, with no new role and no AssumeRole hop. Roles
     * of the deploy account only (a stack can attach policies to those alone).
     */
    roleArns: z
      .array(z.string().regex(ROLE_ARN, { message: 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/mwaa-execution-role (no wildcards, no users)' }))
      .min(1, { message: 'name at least one existing role, e.g. the MWAA execution role' })
      .refine((arns) => new Set(arns).size === arns.length, { message: 'lists a role twice' }),
  })
  .strict();

export const awsIdentitySchema = z.discriminatedUnion('mode', [userIdentitySchema, roleIdentitySchema, existingIdentitySchema]);

export const awsEncryptionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('s3') }).strict(),
  z
    .object({
      type: z.literal('kms'),
      /** Use this existing key instead of creating one (rotation then is the key owner's business). */
      existingKeyArn: z.string().regex(KMS_KEY_ARN, { message: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)' }).optional(),
    })
    .strict(),
]);

export const awsSchema = z
  .object({
    /** Deploy account; omit for an environment-agnostic stack (synth works offline either way). */
    account: z.string().regex(ACCOUNT_ID, { message: 'must be a 12-digit AWS account id' }).optional(),
    region: z.string().regex(AWS_REGION, { message: 'must be an AWS region such as eu-west-1' }),
    /** CloudFormation stack name; defaults to `AirflowXcoms-<env>`. */
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { message: 'must start with a letter and hold letters, digits and "-"' }).optional(),
    /** Airflow connection id used in the XCom path and connection. */
    connectionId: connectionIdSchema.default('aws_xcoms'),
    /** Fixed bucket name; omit to let CloudFormation generate a unique one. */
    bucketName: s3BucketNameSchema.optional(),
    encryption: awsEncryptionSchema.default({ type: 's3' }),
    /** Write S3 server access logs to a separate bucket of the stack. */
    accessLogs: z.boolean().default(true),
    /** Days after which server access log objects expire (only with accessLogs). */
    accessLogsRetentionDays: z
      .number()
      .int({ message: 'must be a whole number of days' })
      .min(1, { message: 'must be at least 1 day' })
      .max(3650, { message: 'must be at most 3650 days' })
      .default(90),
    identity: awsIdentitySchema.default({ mode: 'user', userName: 'airflow-xcoms' }),
  })
  .strict()
  .superRefine((aws, ctx) => {
    if (aws.identity.mode !== 'existing' || aws.account === undefined) return;
    aws.identity.roleArns.forEach((arn, index) => {
      const account = arn.split(':')[4];
      if (account !== aws.account) {
        ctx.addIssue({
          code: 'custom',
          path: ['identity', 'roleArns', index],
          input: arn,
          message: `is in account ${account}, not the deploy account ${aws.account}: a stack can attach policies only to roles of its own account (for another account, use mode "role" with trustedPrincipals)`,
        });
      }
    });
  });

export type AwsSettings = z.infer<typeof awsSchema>;
export type AwsIdentity = z.infer<typeof awsIdentitySchema>;

/** The Secrets Manager connections prefix of an environment when `identity.connectionsPrefix` is not set. */
export function defaultAwsConnectionsPrefix(environment: string): string {
  return `airflow/${environment}/connections`;
}
