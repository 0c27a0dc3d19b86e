import { builtInPriceTable, lookupPrice, parsePriceTable, PriceTableError, withOverride } from '../../lib/cost/prices';
import BUILT_IN from '../../lib/cost/prices.json';
import { StoragePolicy } from '../../lib/cost/policy';

const at = (cloud: StoragePolicy['cloud'], storageClass: string, region: string) => ({ cloud, storageClass, region }) as StoragePolicy;
const OVERRIDE = { asOf: '2026-11-30', currency: 'USD', unit: 'GB-month', sources: { aws: 'our enterprise agreement' }, prices: { aws: { STANDARD: { 'eu-west-1': 0.0195, 'ap-east-1': 0.025 } } } };

describe('built-in price table', () => {
  test('is dated, names a source per cloud and prices the regions of the shipped environments', () => {
    const table = builtInPriceTable();
    expect(BUILT_IN.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(BUILT_IN.sources).sort()).toEqual(['aws', 'azure', 'gcp']);
    expect(lookupPrice(table, at('aws', 'STANDARD', 'eu-west-1'))?.pricePerGbMonth).toBe(0.023);
    expect(lookupPrice(table, at('gcp', 'STANDARD', 'europe-west1'))?.pricePerGbMonth).toBe(0.02);
    expect(lookupPrice(table, at('gcp', 'STANDARD', 'EU'))?.pricePerGbMonth).toBe(0.026);
    for (const r of ['LRS', 'ZRS', 'GZRS']) expect(lookupPrice(table, at('azure', `HOT_${r}`, 'westeurope'))).toBeDefined();
  });

  test('matches GCS locations case-insensitively and reports where a price came from', () => {
    const found = lookupPrice(builtInPriceTable(), at('gcp', 'STANDARD', 'eu'));
    expect(found).toMatchObject({ pricePerGbMonth: 0.026, source: expect.stringContaining('built-in'), asOf: BUILT_IN.asOf });
  });

  test('has no price for an unknown region or class', () => {
    expect(lookupPrice(builtInPriceTable(), at('aws', 'STANDARD', 'me-central-1'))).toBeUndefined();
    expect(lookupPrice(builtInPriceTable(), at('aws', 'GLACIER', 'eu-west-1'))).toBeUndefined();
  });
});

describe('overrides', () => {
  test('an override entry wins, a new region is added, everything else comes from the built-in table', () => {
    const table = withOverride(builtInPriceTable(), parsePriceTable(OVERRIDE, 'mine.json'), 'mine.json');
    expect(lookupPrice(table, at('aws', 'STANDARD', 'eu-west-1'))).toMatchObject({ pricePerGbMonth: 0.0195, source: 'mine.json', asOf: '2026-11-30' });
    expect(lookupPrice(table, at('aws', 'STANDARD', 'ap-east-1'))?.pricePerGbMonth).toBe(0.025);
    expect(lookupPrice(table, at('aws', 'STANDARD', 'us-east-1'))?.source).toContain('built-in');
  });

  test('refuses another currency', () => {
    expect(() => withOverride(builtInPriceTable(), parsePriceTable({ ...OVERRIDE, currency: 'EUR' }, 'eur.json'), 'eur.json')).toThrow(/eur.json is in EUR.*give every price in USD/);
  });

  test('rejects a table without a date or source, or with prices per TB, naming the field and value', () => {
    const bad = { ...OVERRIDE, asOf: 'yesterday', sources: {}, prices: { aws: { STANDARD: { 'eu-west-1': 23 } } } };
    let message = '';
    try {
      parsePriceTable(bad, 'bad.json');
    } catch (e) {
      expect(e).toBeInstanceOf(PriceTableError);
      message = (e as Error).message;
    }
    expect(message).toContain('invalid price table bad.json');
    expect(message).toMatch(/asOf: "yesterday" is not valid: must be the date the prices were read, YYYY-MM-DD/);
    expect(message).toMatch(/sources: .*name at least one source/);
    expect(message).toMatch(/prices\.aws\.STANDARD\.eu-west-1: 23 is not valid: must be at most 10 per GB-month/);
  });

  test('rejects unknown clouds', () => {
    expect(() => parsePriceTable({ ...OVERRIDE, prices: { oci: {} } }, 'x.json')).toThrow(/unknown field\(s\) "oci"/);
  });
});
