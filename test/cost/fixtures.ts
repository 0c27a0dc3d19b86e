import { Workload } from '../../lib/cost/model';
import { StoragePolicy } from '../../lib/cost/policy';

/** An S3-like policy with a 7-day retention; tests override what they exercise. */
export const policy = (over: Partial<StoragePolicy> = {}): StoragePolicy => ({
  cloud: 'aws',
  region: 'eu-west-1',
  storageClass: 'STANDARD',
  currentDays: 7,
  noncurrentDays: 3,
  noncurrentClock: 'since-noncurrent',
  newerVersions: undefined,
  newerVersionCount: 'noncurrent-only',
  deleteMarkers: false,
  softDeleteDays: 0,
  containerSoftDeleteDays: 0,
  incompleteUploadDaysWithRules: 1,
  incompleteUploadDaysWithoutRules: Infinity,
  ...over,
});

/** No incomplete uploads unless a test adds them, so the hand-computed figures stay exact. */
export const load = (over: Partial<Workload> = {}): Workload => ({ dailyGb: 10, incompleteUploadFraction: 0, ...over });
