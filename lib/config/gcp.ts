import { z } from 'zod';
import { connectionIdSchema } from './common';

export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SERVICE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const KMS_KEY_NAME = /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[A-Za-z0-9_-]+\/cryptoKeys\/[A-Za-z0-9_-]+$/;

/** GCS bucket naming rules (names without dots): 3-63 characters, lower-case letters, digits, "-" and "_". */
export function gcsBucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('must be 3 to 63 characters long');
  if (!/^[a-z0-9_-]+$/.test(name)) problems.push('may hold only lower-case letters, digits, "-" and "_"');
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) problems.push('must start and end with a letter or digit');
  if (/^goog/.test(name) || /g(o|0)(o|0)gle/.test(name)) problems.push('must not start with "goog" or contain "google"');
  return problems;
}

export const gcsBucketNameSchema = z.string().superRefine((name, ctx) => {
  const problems = gcsBucketNameProblems(name);
  if (problems.length > 0) ctx.addIssue({ code: 'custom', message: `is not a valid GCS bucket name: it ${problems.join('; it ')}` });
});

const kubernetesServiceAccountSchema = z
  .object({
    namespace: z.string().regex(K8S_NAME, { message: 'must be a Kubernetes namespace name' }),
    serviceAccount: z.string().regex(K8S_NAME, { message: 'must be a Kubernetes service account name' }),
  })
  .strict();

export const gcpIdentitySchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('workload-identity'),
      /** Service account id; the environment name is appended (`airflow-xcoms-prod`), 6-30 characters in all. */
      serviceAccountId: z.string().regex(SERVICE_ACCOUNT_ID, { message: 'must be 6-30 lower-case letters, digits and "-"' }).default('airflow-xcoms'),
      /** GKE Kubernetes service accounts (Airflow workers) bound through Workload Identity. */
      kubernetes: z.array(kubernetesServiceAccountSchema).min(1, { message: 'name at least one Kubernetes service account that runs Airflow tasks' }),
    })
    .strict(),
  z
    .object({
      mode: z.literal('key'),
      serviceAccountId: z.string().regex(SERVICE_ACCOUNT_ID, { message: 'must be 6-30 lower-case letters, digits and "-"' }).default('airflow-xcoms'),
      /** Secret Manager prefix that Airflow's CloudSecretManagerBackend reads connections from. */
      connectionsPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'must hold only letters, digits, "_" and "-"' }).default('airflow-connections'),
    })
    .strict(),
]);

export const gcpStateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z.object({ type: z.literal('gcs'), bucket: gcsBucketNameSchema, prefix: z.string().min(1) }).strict(),
]);

export const gcpSchema = z
  .object({
    project: z.string().regex(GCP_PROJECT_ID, { message: 'must be a GCP project id: 6-30 lower-case letters, digits and "-", starting with a letter' }),
    /** Bucket location: a region (europe-west1), dual-region or multi-region (EU, US). */
    location: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/, { message: 'must be a GCS location such as EU, US or europe-west1' }),
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
  .strict();

export type GcpSettings = z.infer<typeof gcpSchema>;
