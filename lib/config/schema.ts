import { z } from 'zod';
import { awsSchema } from './aws';
import { azureSchema } from './azure';
import { removalPolicySchema, retentionSchema, tagsSchema, xcomSchema } from './common';
import { gcpSchema } from './gcp';

/** One environment (dev, staging, prod, ...): shared settings plus a section per cloud it deploys to. */
export const environmentSchema = z
  .object({
    xcom: xcomSchema.default({ prefix: 'xcom', dedicatedBucket: false, threshold: 1024, compression: 'gzip' }),
    retention: retentionSchema.default({ currentDays: 30, noncurrentDays: 7 }),
    /** What happens to the bucket when the stack is deleted. */
    removalPolicy: removalPolicySchema.default('retain'),
    tags: tagsSchema.default({}),
    aws: awsSchema.optional(),
    gcp: gcpSchema.optional(),
    azure: azureSchema.optional(),
  })
  .strict()
  .superRefine((env, ctx) => {
    if (env.xcom.prefix === '' && !env.xcom.dedicatedBucket) {
      ctx.addIssue({
        code: 'custom',
        path: ['xcom', 'prefix'],
        input: env.xcom.prefix,
        message:
          'is empty, so lifecycle rules and grants would cover the whole bucket; set a prefix such as "xcom", or set xcom.dedicatedBucket: true if the bucket holds nothing but XComs',
      });
    }
  });

/** The whole environments file. `defaults` is deep-merged under every environment before validation. */
export const environmentsFileSchema = z
  .object({
    defaults: z.record(z.string(), z.unknown()).optional(),
    environments: z
      // Names are checked by parseConfig, so that a bad name does not hide the problems inside the environments.
      .record(z.string(), z.unknown())
      .refine((envs) => Object.keys(envs).length > 0, { message: 'define at least one environment' }),
  })
  .strict();

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type EnvironmentInput = z.input<typeof environmentSchema>;
