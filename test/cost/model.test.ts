import { breakdown, estimateCloud, estimateScenario, noncurrentLifetime, storedOnDay, termsWithoutRules, termsWithRules } from '../../lib/cost/model';
import { load, policy } from './fixtures';

describe('current objects', () => {
  test('a 7-day retention with a constant daily volume reaches 7 x daily on day 7 and stays there', () => {
    // GIVEN current objects only: Azure's version clock counts from the write, so a 7-day-old
    // expired object whose versions are kept 3 days since creation is removed at once.
    const p = policy({ noncurrentClock: 'since-creation', noncurrentDays: 3 });
    const s = estimateScenario(termsWithRules(p, load()), 30);
    expect(s.series.slice(0, 9)).toEqual([10, 20, 30, 40, 50, 60, 70, 70, 70]);
    expect(s.steadyStateGb).toBe(70);
    expect(s.steadyStateDay).toBe(7);
    expect(s.gbAtHorizon).toBe(70);
  });

  test('in a versioned S3 or GCS bucket, expired objects stay noncurrent for their days: 7 + 3 days of volume', () => {
    const s = estimateScenario(termsWithRules(policy(), load()), 30);
    expect(breakdown(s, 30).current).toBe(70);
    expect(breakdown(s, 30).noncurrent).toBe(30);
    expect(s.steadyStateGb).toBe(100);
    expect(s.steadyStateDay).toBe(10);
    expect(s.series[8]).toBe(90); // day 9: day-1 objects still noncurrent, day-2 ones still current
  });
});

describe('noncurrent versions', () => {
  test('purged versions skip their current days and add only their noncurrent days', () => {
    // 20 % purged: current 0.8 x 10 x 7 = 56; noncurrent (0.8 + 0.2) x 10 x 3 = 30.
    const s = estimateScenario(termsWithRules(policy(), load({ purgeFraction: 0.2 })), 30);
    expect(breakdown(s, 30).current).toBeCloseTo(56, 10);
    expect(breakdown(s, 30).noncurrent).toBeCloseTo(30, 10);
    expect(s.steadyStateGb).toBeCloseTo(86, 10);
  });

  test('an overwrite adds the replaced version for its noncurrent days', () => {
    // Half the writes replace an earlier write of the same key: current 5 x 7 = 35;
    // noncurrent 5 x 3 (expired) + 5 x 3 (replaced) = 30.
    const s = estimateScenario(termsWithRules(policy(), load({ overwriteFraction: 0.5 })), 30);
    expect(breakdown(s, 30).current).toBeCloseTo(35, 10);
    expect(breakdown(s, 30).noncurrent).toBeCloseTo(30, 10);
  });

  test('Azure counts a version from its creation, so an expired blob older than noncurrentDays is removed at once', () => {
    const azure = policy({ cloud: 'azure', noncurrentClock: 'since-creation', currentDays: 7, noncurrentDays: 10 });
    expect(noncurrentLifetime(azure, 'kept')).toBe(3);
    expect(noncurrentLifetime(azure, 'purged')).toBe(10);
    expect(noncurrentLifetime({ ...azure, noncurrentDays: 5 }, 'kept')).toBe(0);
  });

  test('with newer-version counts, versions of keys written once are never removed on S3: no steady state', () => {
    const p = policy({ newerVersions: 1 });
    expect(noncurrentLifetime(p, 'kept')).toBe(Infinity);
    expect(noncurrentLifetime(p, 'purged')).toBe(Infinity);
    const s = estimateScenario(termsWithRules(p, load()), 30);
    expect(s.steadyStateGb).toBeNull();
    expect(s.steadyStateDay).toBeNull();
    expect(s.gbAtHorizon).toBe(70 + 10 * 23); // 7 days current, then noncurrent from day 8 on
  });

  test('an overwritten version with one newer version: S3 waits until the newer one is noncurrent, GCS counts the live one', () => {
    expect(noncurrentLifetime(policy({ newerVersions: 1, currentDays: 7, noncurrentDays: 3 }), 'overwritten')).toBe(7);
    expect(noncurrentLifetime(policy({ newerVersions: 1, newerVersionCount: 'including-live', noncurrentDays: 3 }), 'overwritten')).toBe(3);
    expect(noncurrentLifetime(policy({ newerVersions: 2 }), 'overwritten')).toBe(Infinity);
  });
});

describe('delete markers (S3)', () => {
  test('one marker per expired or purged key, billed at its key length, removed with the last noncurrent version', () => {
    // 10 GB of 1 MB objects = 10,240 objects a day; 160-byte keys = 10,240 x 160 / 2^30 GB of markers a day.
    const terms = termsWithRules(policy({ deleteMarkers: true }), load({ purgeFraction: 0.25 }));
    const s = estimateScenario(terms, 30);
    // kept 0.75 x 3 days + purged 0.25 x 3 days of that
    expect(breakdown(s, 30).deleteMarkers).toBeCloseTo(((10_240 * 160) / 2 ** 30) * 3, 15);
  });

  test('overwritten versions leave no marker, and object size sets the count', () => {
    const big = estimateScenario(termsWithRules(policy({ deleteMarkers: true }), load({ overwriteFraction: 0.5, objectMb: 100 })), 30);
    // 102.4 objects a day, half of them keys of their own: 51.2 x 160 bytes x 3 days
    expect(breakdown(big, 30).deleteMarkers).toBeCloseTo((51.2 * 160 * 3) / 2 ** 30, 15);
  });

  test('without the rules, markers of purged keys pile up', () => {
    const s = estimateScenario(termsWithoutRules(policy({ deleteMarkers: true }), load({ purgeFraction: 1 })), 20);
    expect(breakdown(s, 20).deleteMarkers).toBeCloseTo((20 * 10_240 * 160) / 2 ** 30, 15);
  });

  test('GCS and Azure have no delete markers', () => {
    expect(termsWithRules(policy({ cloud: 'gcp' }), load()).some((t) => t.term === 'deleteMarkers')).toBe(false);
  });
});

describe('soft delete', () => {
  test('GCS soft delete keeps every removed version its days after the noncurrent ones', () => {
    const s = estimateScenario(termsWithRules(policy({ cloud: 'gcp', softDeleteDays: 7 }), load()), 30);
    expect(breakdown(s, 30).softDelete).toBe(70);
    expect(s.steadyStateGb).toBe(170);
    expect(s.steadyStateDay).toBe(17); // 7 current + 3 noncurrent + 7 soft-deleted
  });

  test('Azure blob soft delete applies to removed versions, container soft delete holds nothing XComs delete', () => {
    const azure = policy({ cloud: 'azure', noncurrentClock: 'since-creation', noncurrentDays: 3, softDeleteDays: 7, containerSoftDeleteDays: 7 });
    const s = estimateScenario(termsWithRules(azure, load()), 30);
    expect(breakdown(s, 30)).toEqual({ current: 70, noncurrent: 0, deleteMarkers: 0, softDelete: 70, containerSoftDelete: 0, incompleteUploads: 0 });
    expect(termsWithRules(azure, load()).some((t) => t.term === 'containerSoftDelete')).toBe(true);
  });

  test('a version never removed never reaches soft delete', () => {
    const terms = termsWithRules(policy({ cloud: 'gcp', softDeleteDays: 7, newerVersions: 1, newerVersionCount: 'including-live' }), load());
    expect(terms.filter((t) => t.term === 'softDelete' && t.fate === 'kept')).toEqual([]);
  });
});

describe('incomplete multipart uploads', () => {
  test('the abort rule keeps them one day; without it they pile up', () => {
    const p = policy();
    const w = load({ dailyGb: 100, incompleteUploadFraction: 0.01 });
    expect(breakdown(estimateScenario(termsWithRules(p, w), 30), 30).incompleteUploads).toBe(1);
    expect(breakdown(estimateScenario(termsWithoutRules(p, w), 30), 30).incompleteUploads).toBe(30);
  });

  test('Azure discards uncommitted blocks after 7 days, rules or not', () => {
    const p = policy({ cloud: 'azure', incompleteUploadDaysWithRules: 7, incompleteUploadDaysWithoutRules: 7 });
    const w = load({ dailyGb: 100, incompleteUploadFraction: 0.01 });
    expect(breakdown(estimateScenario(termsWithoutRules(p, w), 30), 30).incompleteUploads).toBe(7);
  });
});

describe('without lifecycle rules', () => {
  test('nothing expires: stored GB grows by the daily volume and there is no steady state', () => {
    const s = estimateScenario(termsWithoutRules(policy(), load({ purgeFraction: 0.3 })), 90);
    expect(s.series[0]).toBeCloseTo(10, 10);
    expect(s.series[89]).toBeCloseTo(900, 10);
    expect(s.steadyStateGb).toBeNull();
    expect(s.steadyStateDay).toBeNull();
  });

  test('estimateCloud puts both scenarios side by side over the same days', () => {
    const e = estimateCloud(policy(), load(), 45);
    expect(e.withRules.series).toHaveLength(45);
    expect(e.withoutRules.series).toHaveLength(45);
    expect(e.withRules.gbAtHorizon).toBe(100);
    expect(e.withoutRules.gbAtHorizon).toBe(450);
  });
});

test('storedOnDay is zero before a term starts and capped at its lifetime', () => {
  const term = [{ term: 'noncurrent' as const, gbPerDay: 2, start: 5, lifetime: 3 }];
  expect([4, 5, 6, 7, 8, 9, 50].map((d) => storedOnDay(term, d))).toEqual([0, 0, 2, 4, 6, 6, 6]);
});
