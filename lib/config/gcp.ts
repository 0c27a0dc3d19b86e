import { z } from 'zod';
import {
  CONNECTIONS_PREFIX,
  GCP_PROJECT_ID,
  GCP_PROJECT_ID_RULE,
  GCP_REGION,
  gcsBucketNameProblems,
  IAM_MEMBER,
  IAM_MEMBER_RULE,
  isGcpRegion,
  regionProblem,
  SERVICE_ACCOUNT_EMAIL,
  SERVICE_ACCOUNT_ID,
  SERVICE_ACCOUNT_ID_RULE,
  WORKLOAD_POOL,
  WORKLOAD_POOL_RULE,
} from '../rules';
import { connectionIdSchema, kubernetesServiceAccountSchema, localStateSchema } from './common';

export {
  defaultGcpConnectionsPrefix,
  defaultWorkloadPool,
  GCP_PROJECT_ID,
  GCP_REGION,
  GCS_MULTI_OR_DUAL_REGIONS,
  gcsBucketNameProblems,
  isGcpRegion,
  SERVICE_ACCOUNT_ID,
  WORKLOAD_POOL,
} from '../rules';

const KMS_KEY_NAME = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[A-Za-z0-9_-]+\/cryptoKeys\/[A-Za-z0-9_-]+$/;

export const gcsBucketNameSchema = z.string().superRefine((name, ctx) => {
  const problems = gcsBucketNameProblems(name);
  if (problems.length > 0) ctx.addIssue({ code: 'custom', message: `is not a valid GCS bucket name: it ${problems.join('; it ')}` });
});

export const gcsLocationSchema = z.string().superRefine((location, ctx) => {
  const problem = regionProblem('gcp', location);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const serviceAccountIdSchema = z
  .string()
  .regex(SERVICE_ACCOUNT_ID, { message: SERVICE_ACCOUNT_ID_RULE })
  .default('airflow-xcoms');

/** Replication of the Secret Manager secret that holds the key-mode connection. */
export const gcpSecretReplicationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('automatic') }).strict(),
  z
    .object({
      type: z.literal('user-managed'),
      /** Replica regions; defaults to the bucket's location when that is a single region. */
      locations: z.array(z.string().regex(GCP_REGION, { message: 'must be a GCP region such as europe-west1' })).min(1).optional(),
    })
    .strict(),
]);

export const gcpIdentitySchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('existing'),
      /**
       * Service accounts Airflow already runs as (Composer's environment service account, a GKE
       * node or Workload Identity service account): each is granted the two custom roles directly.
       * No service account, key or binding is created.
       */
      serviceAccounts: z
        .array(z.string().regex(SERVICE_ACCOUNT_EMAIL, { message: 'must be a service-account e-mail such as composer-env@my-project.iam.gserviceaccount.com' }))
        .min(1, { message: "name at least one existing service account, e.g. Composer's environment service account" })
        .refine((emails) => new Set(emails).size === emails.length, { message: 'lists a service account twice' }),
    })
    .strict(),
  z
    .object({
      mode: z.literal('workload-identity'),
      /** Service account id; the environment name is appended (`airflow-xcoms-prod`), 6-30 characters in all. */
      serviceAccountId: serviceAccountIdSchema,
      /**
       * Workload identity pool of the GKE cluster that runs Airflow: `<cluster project>.svc.id.goog`
       * (`gcloud container clusters describe <cluster> --format='value(workloadIdentityConfig.workloadPool)'`).
       * Defaults to the pool of the bucket's project; set it when the cluster runs in another project.
       */
      workloadPool: z
        .string()
        .regex(WORKLOAD_POOL, { message: WORKLOAD_POOL_RULE })
        .optional(),
      /** GKE Kubernetes service accounts (Airflow workers) bound through Workload Identity. */
      kubernetes: z.array(kubernetesServiceAccountSchema).min(1, { message: 'name at least one Kubernetes service account that runs Airflow tasks' }),
    })
    .strict(),
  z
    .object({
      mode: z.literal('key'),
      serviceAccountId: serviceAccountIdSchema,
      /**
       * Secret Manager prefix that Airflow's CloudSecretManagerBackend reads connections from (separator
       * "-"). Defaults to `airflow-<env>-connections`, so environments sharing a project do not claim
       * the same secret id.
       */
      connectionsPrefix: z
        .string()
        .regex(CONNECTIONS_PREFIX['gcp-secret-manager'].pattern, { message: CONNECTIONS_PREFIX['gcp-secret-manager'].rule })
        .optional(),
      /** Where the secret is replicated: `automatic`, or `user-managed` in the bucket's region (or `locations`). */
      secretReplication: gcpSecretReplicationSchema.default({ type: 'automatic' }),
      /** IAM members granted `roles/secretmanager.secretAccessor` on the secret (whatever Airflow reads secrets as). */
      secretAccessors: z.array(z.string().regex(IAM_MEMBER, { message: IAM_MEMBER_RULE })).default([]),
    })
    .strict(),
]);

/** Terraform state backend. */
export const gcpStateSchema = z.discriminatedUnion('type', [
  localStateSchema,
  z
    .object({
      type: z.literal('gcs'),
      bucket: gcsBucketNameSchema,
      /** Object prefix of the state; the stack name is appended (`<prefix>/gcp-<env>`). */
      prefix: z.string().regex(/^[A-Za-z0-9][\w./-]*$/, { message: 'must be an object prefix such as terraform/airflow-xcoms' }),
    })
    .strict(),
]);

export const gcpSchema = z
  .object({
    project: z.string().regex(GCP_PROJECT_ID, { message: GCP_PROJECT_ID_RULE }),
    /** Bucket location: a region (europe-west1), dual-region (EUR4) or multi-region (EU, US). */
    location: gcsLocationSchema,
    connectionId: connectionIdSchema.default('gcp_xcoms'),
    /** Bucket name; defaults to `<project>-airflow-xcoms-<env>`. */
    bucketName: gcsBucketNameSchema.optional(),
    /** Soft-delete retention in days: 0 turns it off (default: it multiplies cost on churny data), else 7-90. */
    softDeleteDays: z.number().int().refine((d) => d === 0 || (d >= 7 && d <= 90), { message: 'must be 0 (off) or 7 to 90 days' }).default(0),
    /** Customer-managed encryption key (CMEK) resource name. */
    kmsKeyName: z.string().regex(KMS_KEY_NAME, { message: 'must be projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>' }).optional(),
    identity: gcpIdentitySchema,
    /** Terraform state backend. */
    state: gcpStateSchema.default({ type: 'local' }),
  })
  .strict()
  .superRefine((gcp, ctx) => {
    const id = gcp.identity;
    if (id.mode === 'key' && id.secretReplication.type === 'user-managed' && !id.secretReplication.locations && !isGcpRegion(gcp.location)) {
      ctx.addIssue({
        code: 'custom',
        path: ['identity', 'secretReplication', 'locations'],
        input: undefined,
        message: `is required: the bucket location "${gcp.location}" is not a single region, so name the secret's replica regions (e.g. [europe-west1])`,
      });
    }
  });

export type GcpSettings = z.infer<typeof gcpSchema>;
export type GcpIdentity = z.infer<typeof gcpIdentitySchema>;

