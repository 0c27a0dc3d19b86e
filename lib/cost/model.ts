/**
 * The storage model behind `xcomkit cost`: how many bytes an XCom workload keeps billed per cloud,
 * day by day, under the kit's lifecycle rules and without them. Pure functions; docs/benchmarks.md
 * ("Storage cost") states the assumptions.
 *
 * Every day the same volume is written. Each written version has one fate: it stays current until
 * the expiry rule removes it ("kept"), the backend purges it the same day (a task retry or clear:
 * `purge` unlinks it), or a second write of the same key replaces it the same day ("overwritten").
 * A version then passes through billed states, each a term: current, noncurrent (versioned
 * buckets keep what is expired, purged or replaced), soft-deleted, plus S3 delete markers and the
 * parts of uploads that never completed. A term starts `start` days after the write and lasts
 * `lifetime` days, so the bytes a term holds on day t are `gbPerDay * clamp(t - start, 0, lifetime)`.
 */
import { StoragePolicy } from './policy';

export const TERM_NAMES = ['current', 'noncurrent', 'deleteMarkers', 'softDelete', 'containerSoftDelete', 'incompleteUploads'] as const;
export type TermName = (typeof TERM_NAMES)[number];
export type Fate = 'kept' | 'purged' | 'overwritten';

/** What the workload writes. Fractions are of the versions written each day. */
export interface Workload {
  /** GB written to object storage per day, after compression, in the unit the clouds bill (GiB, 2^30 bytes). */
  readonly dailyGb: number;
  /** Share of written versions the backend purges the same day (task retries and clears). @default 0 */
  readonly purgeFraction?: number;
  /** Share of written versions replaced by a second write of the same key the same day. @default 0 */
  readonly overwriteFraction?: number;
  /** Extra bytes, as a share of the daily volume, left in uploads that never complete. @default 0.001 */
  readonly incompleteUploadFraction?: number;
  /** Mean object size in MB (MiB, 2^20 bytes): sets the number of objects, hence of S3 delete markers. @default 1 */
  readonly objectMb?: number;
  /** Bytes of an object key (`<prefix>/<dag_id>/<run_id>/<task_id>/<uuid>.json`): a delete marker bills its key. @default 160 */
  readonly keyBytes?: number;
}

export const WORKLOAD_DEFAULTS = { purgeFraction: 0, overwriteFraction: 0, incompleteUploadFraction: 0.001, objectMb: 1, keyBytes: 160 } as const;

export interface Term {
  readonly term: TermName;
  readonly fate?: Fate;
  /** GB entering this term per day of writes. */
  readonly gbPerDay: number;
  /** Days after the write at which the bytes enter the term. */
  readonly start: number;
  /** Days they stay in it; Infinity: never removed. */
  readonly lifetime: number;
}

export interface ScenarioEstimate {
  readonly terms: readonly Term[];
  /** Stored GB at the end of day 1, 2, ..., days. */
  readonly series: readonly number[];
  /** GB once nothing grows any more; null when some term grows forever. */
  readonly steadyStateGb: number | null;
  /** First day on which the steady state holds; null when there is none. */
  readonly steadyStateDay: number | null;
  /** Stored GB on the last day of the series. */
  readonly gbAtHorizon: number;
}

export interface CloudEstimate {
  readonly policy: StoragePolicy;
  readonly withRules: ScenarioEstimate;
  readonly withoutRules: ScenarioEstimate;
}

function resolved(w: Workload) {
  return { ...WORKLOAD_DEFAULTS, ...Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined)) } as Required<Workload>;
}

/**
 * Days a noncurrent version of the given fate stays billed under the rules. The newer-versions
 * condition is ANDed with the age condition, and a key XComs write once never gets a newer
 * version: with the condition set, its noncurrent versions are never removed on S3 or GCS.
 */
export function noncurrentLifetime(p: StoragePolicy, fate: Fate): number {
  const ageAtNoncurrent = fate === 'kept' ? p.currentDays : 0;
  const base = p.noncurrentClock === 'since-noncurrent' ? p.noncurrentDays : Math.max(0, p.noncurrentDays - ageAtNoncurrent);
  if (p.newerVersions === undefined) return base;
  // Only an overwritten version has a newer one (the write that replaced it; keys get at most two writes).
  if (fate !== 'overwritten' || p.newerVersions > 1) return Infinity;
  // S3 counts newer noncurrent versions only: the replacing version turns noncurrent when it expires.
  return p.newerVersionCount === 'noncurrent-only' ? Math.max(base, p.currentDays) : base;
}

/** The billed terms of one day of writes under the kit's lifecycle rules. */
export function termsWithRules(p: StoragePolicy, workload: Workload): Term[] {
  const w = resolved(workload);
  const d = w.dailyGb;
  const share: Record<Fate, number> = { kept: 1 - w.purgeFraction - w.overwriteFraction, purged: w.purgeFraction, overwritten: w.overwriteFraction };
  const start: Record<Fate, number> = { kept: p.currentDays, purged: 0, overwritten: 0 };
  const terms: Term[] = [{ term: 'current', fate: 'kept', gbPerDay: d * share.kept, start: 0, lifetime: p.currentDays }];
  for (const fate of ['kept', 'purged', 'overwritten'] as const) {
    const life = noncurrentLifetime(p, fate);
    terms.push({ term: 'noncurrent', fate, gbPerDay: d * share[fate], start: start[fate], lifetime: life });
    if (p.softDeleteDays > 0 && Number.isFinite(life)) {
      terms.push({ term: 'softDelete', fate, gbPerDay: d * share[fate], start: start[fate] + life, lifetime: p.softDeleteDays });
    }
  }
  if (p.deleteMarkers) {
    // One marker per key whose current version goes without a replacement (expired or purged); the
    // expired-delete-marker rule removes it once the key's last noncurrent version is gone.
    const markerGb = markerGbPerKeyShare(d, w);
    terms.push({ term: 'deleteMarkers', fate: 'kept', gbPerDay: markerGb * share.kept, start: p.currentDays, lifetime: noncurrentLifetime(p, 'kept') });
    terms.push({ term: 'deleteMarkers', fate: 'purged', gbPerDay: markerGb * share.purged, start: 0, lifetime: noncurrentLifetime(p, 'purged') });
  }
  if (p.containerSoftDeleteDays > 0) {
    // The backend never deletes its container, so container soft delete holds nothing.
    terms.push({ term: 'containerSoftDelete', gbPerDay: 0, start: 0, lifetime: p.containerSoftDeleteDays });
  }
  terms.push({ term: 'incompleteUploads', gbPerDay: d * w.incompleteUploadFraction, start: 0, lifetime: p.incompleteUploadDaysWithRules });
  return terms;
}

/** The same bucket (versioning and soft delete as configured) without any lifecycle rule. */
export function termsWithoutRules(p: StoragePolicy, workload: Workload): Term[] {
  const w = resolved(workload);
  const d = w.dailyGb;
  const kept = 1 - w.purgeFraction - w.overwriteFraction;
  // Nothing is ever deleted permanently, so nothing reaches soft delete.
  const terms: Term[] = [
    { term: 'current', fate: 'kept', gbPerDay: d * kept, start: 0, lifetime: Infinity },
    { term: 'noncurrent', fate: 'purged', gbPerDay: d * w.purgeFraction, start: 0, lifetime: Infinity },
    { term: 'noncurrent', fate: 'overwritten', gbPerDay: d * w.overwriteFraction, start: 0, lifetime: Infinity },
  ];
  if (p.deleteMarkers) terms.push({ term: 'deleteMarkers', fate: 'purged', gbPerDay: markerGbPerKeyShare(d, w) * w.purgeFraction, start: 0, lifetime: Infinity });
  terms.push({ term: 'incompleteUploads', gbPerDay: d * w.incompleteUploadFraction, start: 0, lifetime: p.incompleteUploadDaysWithoutRules });
  return terms;
}

/** GB of delete markers per day if every written version made one: objects per day times key bytes. */
function markerGbPerKeyShare(dailyGb: number, w: Required<Workload>): number {
  const objectsPerDay = (dailyGb * 1024) / w.objectMb;
  return (objectsPerDay * w.keyBytes) / 2 ** 30;
}

/** GB a set of terms holds at the end of day `day` (day 1 is the first day of writes). */
export function storedOnDay(terms: readonly Term[], day: number): number {
  let gb = 0;
  for (const t of terms) gb += t.gbPerDay * Math.min(Math.max(day - t.start, 0), t.lifetime);
  return gb;
}

export function estimateScenario(terms: readonly Term[], days: number): ScenarioEstimate {
  const series = Array.from({ length: days }, (_, i) => storedOnDay(terms, i + 1));
  const billed = terms.filter((t) => t.gbPerDay > 0);
  const grows = billed.some((t) => !Number.isFinite(t.lifetime));
  return {
    terms,
    series,
    steadyStateGb: grows ? null : billed.reduce((sum, t) => sum + t.gbPerDay * t.lifetime, 0),
    steadyStateDay: grows ? null : billed.reduce((max, t) => Math.max(max, t.start + t.lifetime), 0),
    gbAtHorizon: series[series.length - 1] ?? 0,
  };
}

export function estimateCloud(policy: StoragePolicy, workload: Workload, days: number): CloudEstimate {
  return {
    policy,
    withRules: estimateScenario(termsWithRules(policy, workload), days),
    withoutRules: estimateScenario(termsWithoutRules(policy, workload), days),
  };
}

/** GB per term: at the steady state when there is one, else on day `day`. */
export function breakdown(estimate: ScenarioEstimate, day: number): Record<TermName, number> {
  const out = Object.fromEntries(TERM_NAMES.map((n) => [n, 0])) as Record<TermName, number>;
  const at = estimate.steadyStateDay ?? day;
  for (const t of estimate.terms) out[t.term] += storedOnDay([t], at);
  return out;
}
