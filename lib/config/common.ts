import { z } from 'zod';

import {
  Compression,
  compressionProblem,
  CONNECTION_ID,
  CONNECTION_ID_RULE,
  controlCharacterProblem,
  KUBERNETES_NAME,
  prefixProblems,
  THRESHOLD_RULE,
} from '../rules';

// The rules live in lib/rules.ts (shared with the binding); re-exported for the config's users.
export { COMPRESSION_SUGGESTIONS, COMPRESSIONS, CONNECTION_ID, ENVIRONMENT_NAME, KUBERNETES_NAME } from '../rules';
export type { Compression } from '../rules';

export const connectionIdSchema = z.string().regex(CONNECTION_ID, { message: CONNECTION_ID_RULE });

export const prefixSchema = z.string().superRefine((value, ctx) => {
  // The empty prefix is allowed only with dedicatedBucket: checked on the environment.
  for (const problem of [controlCharacterProblem(value), ...prefixProblems(value)]) if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const compressionSchema = z
  .string()
  .nullable()
  .superRefine((value, ctx) => {
    const problem = compressionProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => value as Compression | null);

export const xcomSchema = z
  .object({
    /** Key prefix under which every XCom object is written, e.g. `xcom`. */
    prefix: prefixSchema.default('xcom'),
    /**
     * The bucket holds nothing but XComs, so an empty prefix (lifecycle rules and grants on the
     * whole bucket) is acceptable. Required to use an empty prefix.
     */
    dedicatedBucket: z.boolean().default(false),
    /**
     * `[common.io] xcom_objectstorage_threshold`: values whose JSON form is at least this many bytes go
     * to object storage; -1 keeps everything in the database, 0 sends everything to storage.
     */
    threshold: z.number({ message: THRESHOLD_RULE }).int({ message: THRESHOLD_RULE }).min(-1, { message: THRESHOLD_RULE }).default(1024),
    /** `[common.io] xcom_objectstorage_compression`: an fsspec codec name, or null. */
    compression: compressionSchema.default('gzip'),
  })
  .strict();

const days = (what: string) =>
  z
    .number()
    .int({ message: `${what} must be a whole number of days` })
    .min(1, { message: `${what} must be at least 1 day` })
    .max(3650, { message: `${what} must be at most 3650 days` });

export const retentionSchema = z
  .object({
    /** Days after which current objects under the prefix expire. */
    currentDays: days('currentDays').default(30),
    /** Days after which noncurrent (overwritten or deleted) versions are removed. */
    noncurrentDays: days('noncurrentDays').default(7),
    /**
     * Optionally keep this many newer noncurrent versions past `noncurrentDays`: S3 and GCS remove a
     * noncurrent version only when it is older than `noncurrentDays` AND has this many newer ones. An
     * XCom key is written once, so its purged version never gets a newer one and is never removed
     * (`xcomkit cost` warns about it). Leave unset for XComs.
     */
    noncurrentNewerVersions: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const removalPolicySchema = z.enum(['retain', 'destroy'], {
  message: 'must be "retain" (keep the bucket when the stack is deleted) or "destroy"',
});

/** Tags (AWS, Azure) and labels (GCP, lower-cased there). */
export const tagsSchema = z.record(
  z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:/=+@ -]+$/, { message: 'tag keys hold letters, digits, spaces and _ . : / = + @ -' }),
  z.string().max(256),
);

export type XcomSettings = z.infer<typeof xcomSchema>;
export type RetentionSettings = z.infer<typeof retentionSchema>;
export type RemovalPolicyName = z.infer<typeof removalPolicySchema>;

/** The fields naming a Kubernetes service account that runs Airflow tasks (IRSA, GKE and AKS workload identity). */
export const kubernetesServiceAccountFields = {
  namespace: z.string().regex(KUBERNETES_NAME, { message: 'must be a Kubernetes namespace name' }),
  serviceAccount: z.string().regex(KUBERNETES_NAME, { message: 'must be a Kubernetes service account name' }),
};
export const kubernetesServiceAccountSchema = z.object(kubernetesServiceAccountFields).strict();

/** Local Terraform state. Paths are relative, so no machine path lands in the synthesized JSON. */
export const localStateSchema = z
  .object({
    type: z.literal('local'),
    /** State file, relative to the stack's directory `cdktf.out/stacks/<stack>`; defaults to `../../../terraform.<stack>.tfstate` (the project root, as cdktf does). */
    path: z
      .string()
      .regex(/^(?![\/~])(?![A-Za-z]:)[\w./-]+$/, { message: "must be a relative path (an absolute path would put this machine's layout into the synthesized JSON)" })
      .optional(),
  })
  .strict();
