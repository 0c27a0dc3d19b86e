import { z } from 'zod';

/**
 * Compression names that fsspec's registry knows (what the common.io backend passes to fsspec).
 * `lz4` and `zstd` need their Python libraries installed in the Airflow image.
 */
export const COMPRESSIONS = ['zip', 'bz2', 'gzip', 'lzma', 'xz', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** Names users reach for that fsspec does not register, with the name that works. */
export const COMPRESSION_SUGGESTIONS: Readonly<Record<string, Compression>> = {
  gz: 'gzip',
  snappy: 'zstd',
  bzip2: 'bz2',
  zlib: 'gzip',
};

/** Environment names become stack names, resource-name suffixes and CLI arguments. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * An Airflow connection id the kit can emit safely: it becomes `AIRFLOW_CONN_<ID>` (a shell-safe
 * variable name) and the user-info part of `<scheme>://<conn_id>@<bucket>/<prefix>`.
 */
export const CONNECTION_ID = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
export const connectionIdSchema = z
  .string()
  .regex(CONNECTION_ID, {
    message:
      'must start with a letter and hold only letters, digits and underscores (it becomes AIRFLOW_CONN_<ID> and the user part of the XCom path)',
  });

/** One prefix segment: no traversal, no empty parts, characters safe in every cloud's object names. */
const PREFIX_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const prefixSchema = z.string().superRefine((value, ctx) => {
  if (value === '') return; // allowed only with dedicatedBucket: checked on the environment
  if (value.startsWith('/') || value.endsWith('/')) {
    ctx.addIssue({ code: 'custom', message: 'must not start or end with "/" (write "xcom" or "airflow/xcom")' });
    return;
  }
  if (value.length > 200) {
    ctx.addIssue({ code: 'custom', message: 'must be at most 200 characters' });
    return;
  }
  for (const segment of value.split('/')) {
    if (!PREFIX_SEGMENT.test(segment) || segment === '..' || segment === '.') {
      ctx.addIssue({
        code: 'custom',
        message: `segment "${segment}" is not allowed: each "/"-separated part must start with a letter or digit and hold only letters, digits, ".", "_" and "-"`,
      });
      return;
    }
  }
});

export const compressionSchema = z
  .string()
  .nullable()
  .superRefine((value, ctx) => {
    if (value === null) return;
    if ((COMPRESSIONS as readonly string[]).includes(value)) return;
    const suggestion = COMPRESSION_SUGGESTIONS[value.toLowerCase()];
    ctx.addIssue({
      code: 'custom',
      message:
        (suggestion ? `fsspec has no codec named "${value}"; use "${suggestion}". ` : '') +
        `Allowed: ${COMPRESSIONS.join(', ')}, or null for none`,
    });
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
    threshold: z.number().int({ message: 'must be a whole number of bytes' }).min(-1, { message: 'must be -1 (keep in DB), 0 (everything to storage) or a positive number of bytes' }).default(1024),
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
    /** Optionally keep this many newer noncurrent versions regardless of age. */
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

/** A Kubernetes namespace or service account name (RFC 1123 label). */
export const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

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
