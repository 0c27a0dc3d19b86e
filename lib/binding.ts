/**
 * The Airflow binding: the one machine-readable contract between the stacks (AWS, GCP, Azure) and
 * everything that configures Airflow (the `xcomkit` command). Every stack emits exactly this shape,
 * serialized as JSON, in an output named {@link BINDING_OUTPUT_CFN} (CloudFormation) or
 * {@link BINDING_OUTPUT_TF} (Terraform). From it alone every Airflow setting can be produced.
 *
 * Compatibility: additive changes keep `schemaVersion`; a field removed or changed in meaning bumps it.
 */
import { z } from 'zod';
import { BINDING_SCHEMA_VERSION, CLOUDS, SECRET_STORES } from './binding-core';
import {
  BUCKET_WORD,
  bucketNameProblems,
  COMPRESSIONS,
  CONNECTION_ID,
  CONNECTION_ID_RULE,
  CONNECTIONS_PREFIX,
  controlCharacterProblem,
  DEPLOY_TIME_PLACEHOLDER,
  ENVIRONMENT_NAME,
  ENVIRONMENT_NAME_RULE,
  AZURE_STORAGE_ACCOUNT,
  AZURE_STORAGE_ACCOUNT_RULE,
  KUBERNETES_NAME,
  prefixProblems,
  regionProblem,
} from './rules';

/**
 * Every string of a binding: no control characters. A newline in an environment name or a secret
 * prefix would otherwise end a comment line of a shell, dotenv or YAML output and start a command or
 * a document of the binding author's choosing.
 */
const text = () =>
  z.string().superRefine((value, ctx) => {
    const problem = controlCharacterProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const nonEmptyText = () => text().min(1, { message: 'must not be empty' });
const isDeployTime = (value: string) => DEPLOY_TIME_PLACEHOLDER.test(value);

export { BINDING_SCHEMA_VERSION, BINDING_OUTPUT_CFN, BINDING_OUTPUT_TF, CLOUDS, SCHEME_BY_CLOUD, CONN_TYPE_BY_CLOUD, SECRET_STORES, connectionSecretName, xcomObjectStoragePath } from './binding-core';
export type { Cloud, SecretStore } from './binding-core';

/**
 * Where a stack stored a secret connection (identity modes `user` and `key`). The secret's value is
 * the whole Airflow connection in JSON form (`{"conn_type": ..., "login": ..., "password": ...,
 * "extra": {...}}`), exactly what the cloud's Airflow secrets backend returns for the connection id.
 */
export const secretRefSchema = z
  .object({
    store: z.enum(SECRET_STORES),
    /** Full secret name as stored, prefix included: `airflow/connections/aws_xcoms`. */
    name: nonEmptyText(),
    /** Prefix Airflow's secrets backend is configured with (`connections_prefix`). */
    connectionsPrefix: nonEmptyText(),
    /** Store-specific locator: AWS secret ARN, GCP `projects/<p>/secrets/<name>`, Azure vault URL. */
    id: nonEmptyText(),
  })
  .strict()
  .superRefine((ref, ctx) => {
    const { pattern, rule } = CONNECTIONS_PREFIX[ref.store];
    if (!pattern.test(ref.connectionsPrefix) && !isDeployTime(ref.connectionsPrefix)) {
      ctx.addIssue({ code: 'custom', path: ['connectionsPrefix'], input: ref.connectionsPrefix, message: rule });
    }
  });

export const identitySchema = z
  .object({
    /**
     * `existing`: the stack granted access to principals the user already has (IAM role ARNs, GCP
     * service-account e-mails, Entra principal ids); Airflow runs with that principal's own
     * credentials, so the connection carries no role to assume and no secret.
     */
    mode: z.enum(['user', 'role', 'workload-identity', 'key', 'existing']),
    /**
     * The principal Airflow acts as: IAM user name or role ARN (AWS), service-account e-mail (GCP),
     * managed identity client id (Azure); in mode `existing` the first of `principals`.
     */
    principal: nonEmptyText(),
    /** Mode `existing`: every principal granted access. */
    principals: z.array(nonEmptyText()).optional(),
    /** AWS role mode: the role ARN Airflow assumes (`role_arn` in the connection extra). */
    roleArn: text().optional(),
    /** Azure workload identity: tenant of the managed identity. */
    tenantId: text().optional(),
    /** Kubernetes service accounts bound to the identity (IRSA, GKE/AKS workload identity). */
    kubernetesServiceAccounts: z
      .array(
        z
          .object({
            namespace: z.string().regex(KUBERNETES_NAME, { message: 'must be a Kubernetes namespace name (RFC 1123 label)' }),
            serviceAccount: z.string().regex(KUBERNETES_NAME, { message: 'must be a Kubernetes service account name (RFC 1123 label)' }),
          })
          .strict(),
      )
      .optional(),
    /** Set when the credential is a stored secret (modes `user` and `key`). */
    secret: secretRefSchema.optional(),
  })
  .strict();

export const bindingSchema = z
  .object({
    schemaVersion: z.literal(BINDING_SCHEMA_VERSION),
    cloud: z.enum(CLOUDS),
    environment: text().regex(ENVIRONMENT_NAME, { message: ENVIRONMENT_NAME_RULE }),
    storage: z
      .object({
        /** Bucket (S3, GCS) or container (Azure). */
        bucket: nonEmptyText(),
        /** Key prefix without leading or trailing "/"; empty only for a dedicated bucket. */
        prefix: text().superRefine((value, ctx) => {
          if (isDeployTime(value)) return; // reported as "must be known at synth time" by the binding checks
          for (const problem of prefixProblems(value)) ctx.addIssue({ code: 'custom', message: problem });
        }),
        /** AWS region, GCS location or Azure region. */
        region: nonEmptyText(),
        /** Azure storage account name. */
        account: text().optional(),
      })
      .strict(),
    xcom: z
      .object({
        /** `AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH`: `<scheme>://<conn_id>@<bucket>/<prefix>`. */
        path: nonEmptyText(),
        threshold: z.number().int().min(-1),
        compression: z.enum(COMPRESSIONS).nullable(),
      })
      .strict(),
    connection: z
      .object({
        id: z.string().regex(CONNECTION_ID, { message: CONNECTION_ID_RULE }),
        type: z.enum(['aws', 'google_cloud_platform', 'wasb']),
        /**
         * Non-secret connection extras (`region_name`, `role_arn`, `project`, `account_name`, ...). A
         * secret-shaped key (`password`, `account_key`, ...) is accepted but handled as a credential.
         */
        // "." for Airflow's dotted extras such as the GCS filesystem's `gcs.endpoint`.
        extra: z.record(text().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, { message: 'connection extra names hold only letters, digits, "_" and single "." between words' }), text()),
      })
      .strict(),
    identity: identitySchema,
  })
  .strict()
  .superRefine((b, ctx) => {
    // The cloud's own naming rules, as the environments file applies them (placeholders wait for deployment).
    const { bucket, region, account } = b.storage;
    if (!isDeployTime(bucket)) {
      const problems = bucketNameProblems(b.cloud, bucket);
      if (problems.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['storage', 'bucket'], input: bucket, message: `is not a valid ${BUCKET_WORD[b.cloud]}: it ${problems.join('; it ')}` });
      }
    }
    const regionIssue = isDeployTime(region) ? undefined : regionProblem(b.cloud, region);
    if (regionIssue) ctx.addIssue({ code: 'custom', path: ['storage', 'region'], input: region, message: regionIssue });
    if (account !== undefined && !isDeployTime(account) && !AZURE_STORAGE_ACCOUNT.test(account)) {
      ctx.addIssue({ code: 'custom', path: ['storage', 'account'], input: account, message: AZURE_STORAGE_ACCOUNT_RULE });
    }
  });

export type AirflowBinding = z.infer<typeof bindingSchema>;

export type SecretRef = z.infer<typeof secretRefSchema>;
export type BindingIdentity = z.infer<typeof identitySchema>;

/** Parses and validates a binding (from a stack output string or an object). */
export function parseBinding(input: unknown): AirflowBinding {
  const value = typeof input === 'string' ? JSON.parse(input) : input;
  return bindingSchema.parse(value);
}
