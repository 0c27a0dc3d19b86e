/**
 * What each cloud's stack configures that decides how long XCom bytes stay billed: the lifecycle
 * rules, versioning, soft delete and the multipart clean-up, read from the validated environment.
 * Mirrors lib/aws/bucket.ts, lib/gcp/xcom-bucket.ts and lib/azure/xcom-storage.ts.
 */
import type { EnvironmentConfig } from '../config';

export const COST_CLOUDS = ['aws', 'gcp', 'azure'] as const;
export type CostCloud = (typeof COST_CLOUDS)[number];

/**
 * How a cloud counts the age of a noncurrent version: S3 and GCS from the moment it became
 * noncurrent (`NoncurrentDays`, `daysSinceNoncurrentTime`); Azure from the version's creation, which
 * is when its content was written (`version.deleteAfterDaysSinceCreation`).
 */
export type NoncurrentClock = 'since-noncurrent' | 'since-creation';

/**
 * How a cloud counts "newer versions" for the newer-versions condition: S3 counts newer noncurrent
 * versions only (`NewerNoncurrentVersions`); GCS counts every newer version, the live one included
 * (`numNewerVersions`).
 */
export type NewerVersionCount = 'noncurrent-only' | 'including-live';

export interface StoragePolicy {
  readonly cloud: CostCloud;
  /** Region or location, as the price table keys it. */
  readonly region: string;
  /** Storage class as the price table keys it: `STANDARD` (S3, GCS), `HOT_<replication>` (Azure). */
  readonly storageClass: string;
  /** Days a current object lives before the lifecycle rule removes it. */
  readonly currentDays: number;
  /** Days a noncurrent version is kept. */
  readonly noncurrentDays: number;
  readonly noncurrentClock: NoncurrentClock;
  /** Newer versions required before a noncurrent version is removed; undefined when not configured or not applied. */
  readonly newerVersions?: number;
  readonly newerVersionCount: NewerVersionCount;
  /** S3 leaves a delete marker when a current version is removed without a replacement. */
  readonly deleteMarkers: boolean;
  /** Days a permanently deleted version stays billed (GCS soft delete, Azure blob soft delete); 0 = off. */
  readonly softDeleteDays: number;
  /** Azure container soft delete (applies only when a container is deleted); 0 = off or not applicable. */
  readonly containerSoftDeleteDays: number;
  /** Days incomplete multipart uploads stay billed with the kit's rules. */
  readonly incompleteUploadDaysWithRules: number;
  /** Days they stay billed without lifecycle rules (Infinity: until someone aborts them). */
  readonly incompleteUploadDaysWithoutRules: number;
}

/** The policy of every cloud the environment deploys to (or of the requested ones). */
export function storagePolicies(env: EnvironmentConfig, clouds: readonly CostCloud[] = COST_CLOUDS): StoragePolicy[] {
  const r = env.retention;
  const out: StoragePolicy[] = [];
  if (env.aws && clouds.includes('aws')) {
    out.push({
      cloud: 'aws',
      region: env.aws.region,
      storageClass: 'STANDARD',
      currentDays: r.currentDays,
      noncurrentDays: r.noncurrentDays,
      noncurrentClock: 'since-noncurrent',
      newerVersions: r.noncurrentNewerVersions,
      newerVersionCount: 'noncurrent-only',
      deleteMarkers: true,
      softDeleteDays: 0,
      containerSoftDeleteDays: 0,
      // abort-incomplete-multipart-uploads: AbortIncompleteMultipartUpload after 1 day.
      incompleteUploadDaysWithRules: 1,
      incompleteUploadDaysWithoutRules: Infinity,
    });
  }
  if (env.gcp && clouds.includes('gcp')) {
    out.push({
      cloud: 'gcp',
      region: env.gcp.location,
      storageClass: 'STANDARD',
      currentDays: r.currentDays,
      noncurrentDays: r.noncurrentDays,
      noncurrentClock: 'since-noncurrent',
      newerVersions: r.noncurrentNewerVersions,
      newerVersionCount: 'including-live',
      deleteMarkers: false,
      softDeleteDays: env.gcp.softDeleteDays,
      containerSoftDeleteDays: 0,
      // AbortIncompleteMultipartUpload with age 1 (XML-API multipart uploads).
      incompleteUploadDaysWithRules: 1,
      incompleteUploadDaysWithoutRules: Infinity,
    });
  }
  if (env.azure && clouds.includes('azure')) {
    out.push({
      cloud: 'azure',
      region: env.azure.location,
      storageClass: `HOT_${env.azure.replication}`,
      currentDays: r.currentDays,
      noncurrentDays: r.noncurrentDays,
      noncurrentClock: 'since-creation',
      // The management policy has no newer-versions condition; the stack does not map it.
      newerVersions: undefined,
      newerVersionCount: 'including-live',
      deleteMarkers: false,
      softDeleteDays: env.azure.softDeleteDays,
      containerSoftDeleteDays: env.azure.softDeleteDays,
      // Blob storage discards uncommitted blocks after 7 days by itself, rules or not.
      incompleteUploadDaysWithRules: 7,
      incompleteUploadDaysWithoutRules: 7,
    });
  }
  return out;
}
