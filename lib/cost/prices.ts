/**
 * Storage price tables: the checked-in, dated one (prices.json) and user overrides of the same shape.
 * A price is USD per GB-month, keyed by cloud, storage class and region.
 */
import { z } from 'zod';
import { describeIssues } from '../config';
import BUILT_IN_DOCUMENT from './prices.json';
import { CostCloud, StoragePolicy } from './policy';

const pricePerGbMonth = z
  .number()
  .nonnegative({ message: 'must be a price in currency units per GB-month, 0 or more' })
  .max(10, { message: 'must be at most 10 per GB-month (object storage costs cents; is it per TB?)' });
const classTable = z.record(z.string().min(1), z.record(z.string().min(1), pricePerGbMonth));

export const priceTableSchema = z
  .object({
    /** Date the prices were read, YYYY-MM-DD. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be the date the prices were read, YYYY-MM-DD' }),
    currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD' }),
    unit: z.literal('GB-month', { message: 'must be "GB-month"' }),
    tier: z.string().optional(),
    /** Where the prices come from, per cloud. */
    sources: z.record(z.string(), z.string().min(1)).refine((s) => Object.keys(s).length > 0, { message: 'name at least one source' }),
    notes: z.string().optional(),
    prices: z.object({ aws: classTable.optional(), gcp: classTable.optional(), azure: classTable.optional() }).strict(),
  })
  .strict();

export type PriceTableDocument = z.infer<typeof priceTableSchema>;

/** Price layers, first match wins: a user's override file, then the built-in table. */
export interface PriceTable {
  readonly currency: string;
  readonly layers: readonly { readonly source: string; readonly document: PriceTableDocument }[];
}

export class PriceTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceTableError';
  }
}

export const BUILT_IN_PRICES_SOURCE = 'built-in price table (lib/cost/prices.json)';

export function parsePriceTable(document: unknown, source: string): PriceTableDocument {
  const result = priceTableSchema.safeParse(document, { reportInput: true });
  if (!result.success) {
    throw new PriceTableError(`invalid price table ${source}:\n${describeIssues([], document, result.error).map((p) => `  - ${p}`).join('\n')}\n  (same shape as lib/cost/prices.json)`);
  }
  return result.data;
}

export function builtInPriceTable(): PriceTable {
  const document = parsePriceTable(BUILT_IN_DOCUMENT, BUILT_IN_PRICES_SOURCE);
  return { currency: document.currency, layers: [{ source: BUILT_IN_PRICES_SOURCE, document }] };
}

/** The table with an override in front: its entries (cloud, class, region) win, the rest come from `base`. */
export function withOverride(base: PriceTable, override: PriceTableDocument, source: string): PriceTable {
  if (override.currency !== base.currency) {
    throw new PriceTableError(`price table ${source} is in ${override.currency}, the built-in one in ${base.currency}: give every price in ${base.currency}`);
  }
  return { currency: base.currency, layers: [{ source, document: override }, ...base.layers] };
}

export interface PriceLookup {
  readonly pricePerGbMonth: number;
  readonly cloud: CostCloud;
  readonly storageClass: string;
  readonly region: string;
  /** The table it came from, with that table's date. */
  readonly source: string;
  readonly asOf: string;
}

/** The price of a policy's storage class in its region; region names match case-insensitively (GCS `EU` = `eu`). */
export function lookupPrice(table: PriceTable, policy: StoragePolicy): PriceLookup | undefined {
  for (const { source, document } of table.layers) {
    const regions = document.prices[policy.cloud]?.[policy.storageClass];
    const key = regions && Object.keys(regions).find((r) => r.toLowerCase() === policy.region.toLowerCase());
    if (regions && key !== undefined) {
      return { pricePerGbMonth: regions[key], cloud: policy.cloud, storageClass: policy.storageClass, region: policy.region, source, asOf: document.asOf };
    }
  }
  return undefined;
}
