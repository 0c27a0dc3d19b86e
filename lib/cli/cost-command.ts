/**
 * Registers `xcomkit cost` (main.ts only wires it in): stored GB and monthly storage price per cloud
 * under an environment's retention, against the same buckets without lifecycle rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ConfigError, DEFAULT_CONFIG_FILE, EnvironmentConfig, loadConfig, selectEnvironment } from '../config';
import { breakdown, CloudEstimate, estimateCloud, ScenarioEstimate, TERM_NAMES, TermName, Workload, WORKLOAD_DEFAULTS } from '../cost/model';
import { COST_CLOUDS, CostCloud, storagePolicies } from '../cost/policy';
import { builtInPriceTable, lookupPrice, parsePriceTable, PriceLookup, PriceTable, PriceTableError, withOverride } from '../cost/prices';
import { PlotError, plotSpec, renderPng } from '../cost/plot';
import { CliError, UsageError } from './errors';
import { CommandContext } from './local-command';
import { writeBinaryFileSafely } from './write-binary';

/** Above this an XCom store is not the tool (100 TB a day): a typo is likelier than a workload. */
export const MAX_DAILY_GB = 100_000;
export const MAX_DAYS = 3650;
const DAYS_PER_MONTH = 30;

export interface CostOptions {
  env?: string;
  config: string;
  dailyGb?: string;
  days: string;
  cloud?: CostCloud[];
  purgeFraction: string;
  overwriteFraction: string;
  incompleteUploadFraction: string;
  objectMb: string;
  prices?: string;
  json?: boolean;
  plot?: string;
  force?: boolean;
}

const EXAMPLES = `
Examples:
  $ xcomkit cost --env prod --daily-gb 50
  $ xcomkit cost --env dev --daily-gb 1 --days 30 --cloud aws gcp
  $ xcomkit cost --env prod --daily-gb 500 --purge-fraction 0.05 --json > cost.json
  $ xcomkit cost --env prod --daily-gb 50 --plot cost.png
  $ xcomkit cost --env prod --daily-gb 50 --prices my-prices.json    # negotiated prices, same shape as lib/cost/prices.json
`;

const DECIMAL = /^\d+(\.\d+)?$/;

/** A number from a flag, within [min, max]; the message names the flag, the value and what is allowed. */
function numberFlag(flag: string, raw: string, o: { min: number; max: number; minExclusive?: boolean; integer?: boolean; what: string; example: string }): number {
  const value = Number(raw);
  const ok =
    DECIMAL.test(raw.trim()) &&
    Number.isFinite(value) &&
    (o.minExclusive ? value > o.min : value >= o.min) &&
    value <= o.max &&
    (!o.integer || Number.isInteger(value));
  if (!ok) {
    const range = `${o.minExclusive ? 'more than' : 'at least'} ${o.min} and at most ${o.max}`;
    throw new UsageError(`${flag} "${raw}" is not valid: must be ${o.integer ? 'a whole number' : 'a number'} of ${o.what}, ${range} (for example ${flag} ${o.example})`);
  }
  return value;
}

function parseWorkload(o: CostOptions): { workload: Workload; days: number } {
  if (o.dailyGb === undefined) throw new UsageError('--daily-gb is required: the GB your XComs write to object storage per day, after compression (for example --daily-gb 50)');
  const dailyGb = numberFlag('--daily-gb', o.dailyGb, { min: 0, minExclusive: true, max: MAX_DAILY_GB, what: 'GB written per day', example: '50' });
  const days = numberFlag('--days', o.days, { min: 1, max: MAX_DAYS, integer: true, what: 'days to simulate', example: '90' });
  const fraction = (flag: string, raw: string) => numberFlag(flag, raw, { min: 0, max: 1, what: 'the written versions (a share from 0 to 1)', example: '0.05' });
  const purgeFraction = fraction('--purge-fraction', o.purgeFraction);
  const overwriteFraction = fraction('--overwrite-fraction', o.overwriteFraction);
  if (purgeFraction + overwriteFraction > 1) {
    throw new UsageError(`--purge-fraction ${o.purgeFraction} plus --overwrite-fraction ${o.overwriteFraction} is more than 1: a written version is either purged, overwritten or kept; lower one of them`);
  }
  const incompleteUploadFraction = fraction('--incomplete-upload-fraction', o.incompleteUploadFraction);
  const objectMb = numberFlag('--object-mb', o.objectMb, { min: 0, minExclusive: true, max: 5_000_000, what: 'MB per object (mean size)', example: '1' });
  return { workload: { dailyGb, purgeFraction, overwriteFraction, incompleteUploadFraction, objectMb }, days };
}

/** Fails before any work when the plot could not be written. */
function checkPlotTarget(target: string, force: boolean): void {
  if (path.extname(target).toLowerCase() !== '.png') throw new UsageError(`--plot ${target}: the chart is a PNG; give a file name ending in .png (for example --plot cost.png)`);
  const dir = path.dirname(path.resolve(target));
  if (!fs.existsSync(dir)) throw new CliError(`--plot ${target}: directory ${path.dirname(target)} does not exist; create it or choose another path`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new CliError(`--plot ${target}: directory ${path.dirname(target)} is not writable; choose another path`);
  }
  if (fs.existsSync(target)) {
    if (fs.statSync(target).isDirectory()) throw new CliError(`--plot ${target} is a directory; give a file name such as ${path.join(target, 'cost.png')}`);
    if (!force) throw new CliError(`--plot ${target} exists; pass --force to replace it`);
  }
}

function loadEnvironment(o: CostOptions): [string, EnvironmentConfig] {
  if (!o.env) throw new UsageError('--env is required: the environment whose retention to price (see config/environments.yaml)');
  let config;
  try {
    config = loadConfig(o.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`${e.message}\n(--config ${o.config})`);
    throw e;
  }
  try {
    return selectEnvironment(config, o.env);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`--env ${o.env}: ${e.problems.join('; ')} (in ${config.source})`);
    throw e;
  }
}

function loadPrices(file: string | undefined): PriceTable {
  const base = builtInPriceTable();
  if (!file) return base;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--prices ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass a JSON or YAML file shaped like lib/cost/prices.json`);
  }
  let document: unknown;
  try {
    document = parseYaml(text); // YAML is a superset of JSON
  } catch (e) {
    throw new CliError(`--prices ${file}: not valid JSON or YAML (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    return withOverride(base, parsePriceTable(document, file), file);
  } catch (e) {
    if (e instanceof PriceTableError) throw new CliError(`--prices ${e.message}`);
    throw e;
  }
}

export interface ScenarioReport {
  readonly steadyStateGb: number | null;
  readonly steadyStateDay: number | null;
  readonly gbAtHorizon: number;
  /** Monthly price of the steady state, or of the last simulated day when there is none. */
  readonly monthlyCost: number | null;
  readonly monthlyCostBasis: 'steady-state' | 'last-day';
  /** GB per term at the steady state (or on the last day). */
  readonly breakdownGb: Record<TermName, number>;
  readonly series: readonly number[];
}

export interface CloudReport {
  readonly cloud: CostCloud;
  readonly region: string;
  readonly storageClass: string;
  readonly pricePerGbMonth: number | null;
  readonly priceSource: string | null;
  readonly priceAsOf: string | null;
  readonly withRules: ScenarioReport;
  readonly withoutRules: ScenarioReport;
  readonly warnings: readonly string[];
}

export interface CostReport {
  readonly environment: string;
  readonly days: number;
  readonly workload: Required<Workload>;
  readonly retention: EnvironmentConfig['retention'];
  readonly currency: string;
  readonly clouds: readonly CloudReport[];
}

const round = (n: number, digits = 6) => Math.round(n * 10 ** digits) / 10 ** digits;

function scenarioReport(s: ScenarioEstimate, days: number, price: PriceLookup | undefined): ScenarioReport {
  const gb = s.steadyStateGb ?? s.gbAtHorizon;
  const b = breakdown(s, days);
  return {
    steadyStateGb: s.steadyStateGb === null ? null : round(s.steadyStateGb),
    steadyStateDay: s.steadyStateDay,
    gbAtHorizon: round(s.gbAtHorizon),
    monthlyCost: price ? round(gb * price.pricePerGbMonth, 4) : null,
    monthlyCostBasis: s.steadyStateGb === null ? 'last-day' : 'steady-state',
    breakdownGb: Object.fromEntries(TERM_NAMES.map((t) => [t, round(b[t])])) as Record<TermName, number>,
    series: s.series.map((v) => round(v)),
  };
}

/** The whole estimate, as `--json` prints it. */
export function costReport(environment: string, env: EnvironmentConfig, workload: Workload, days: number, prices: PriceTable, clouds?: readonly CostCloud[]): { report: CostReport; estimates: CloudEstimate[] } {
  const policies = storagePolicies(env, clouds ?? COST_CLOUDS);
  const estimates = policies.map((p) => estimateCloud(p, workload, days));
  const full = { ...WORKLOAD_DEFAULTS, ...workload } as Required<Workload>;
  const cloudReports = estimates.map((e): CloudReport => {
    const price = lookupPrice(prices, e.policy);
    const warnings: string[] = [];
    if (!price) {
      warnings.push(`no price for ${e.policy.cloud} ${e.policy.storageClass} in ${e.policy.region}: add it to a price file (same shape as lib/cost/prices.json) and pass --prices <file>`);
    }
    if (e.policy.newerVersions !== undefined && e.withRules.steadyStateGb === null) {
      warnings.push(
        `retention.noncurrentNewerVersions (${e.policy.newerVersions}) is ANDed with noncurrentDays, and XCom keys are written once: their noncurrent versions never get a newer version, so ${e.policy.cloud} never removes them; drop noncurrentNewerVersions to let noncurrentDays apply`,
      );
    }
    return {
      cloud: e.policy.cloud,
      region: e.policy.region,
      storageClass: e.policy.storageClass,
      pricePerGbMonth: price?.pricePerGbMonth ?? null,
      priceSource: price?.source ?? null,
      priceAsOf: price?.asOf ?? null,
      withRules: scenarioReport(e.withRules, days, price),
      withoutRules: scenarioReport(e.withoutRules, days, price),
      warnings,
    };
  });
  return { report: { environment, days, workload: full, retention: env.retention, currency: prices.currency, clouds: cloudReports }, estimates };
}

const gbText = (gb: number) => (gb >= 100 ? gb.toLocaleString('en-US', { maximumFractionDigits: 0 }) : gb.toLocaleString('en-US', { maximumFractionDigits: gb >= 1 ? 1 : 3 }));
const money = (v: number | null, currency: string) => (v === null ? 'no price' : `${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`);
const TERM_LABELS: Record<TermName, string> = {
  current: 'current',
  noncurrent: 'noncurrent',
  deleteMarkers: 'delete markers',
  softDelete: 'soft-deleted',
  containerSoftDelete: 'container soft delete',
  incompleteUploads: 'incomplete uploads',
};

/** The human table. */
export function renderCostTable(r: CostReport): string {
  const w = r.workload;
  const lines: string[] = [];
  lines.push(
    `Environment ${r.environment}: ${gbText(w.dailyGb)} GB written a day for ${r.days} days; retention ${r.retention.currentDays} d current, ${r.retention.noncurrentDays} d noncurrent` +
      `${r.retention.noncurrentNewerVersions !== undefined ? `, ${r.retention.noncurrentNewerVersions} newer versions` : ''}; purged ${w.purgeFraction}, overwritten ${w.overwriteFraction}, incomplete uploads ${w.incompleteUploadFraction}`,
    '',
  );
  const header = ['cloud', 'storage', 'steady GB', 'steady on day', 'per month with rules', `GB on day ${r.days} without`, `per month without (day ${r.days})`];
  const rows = r.clouds.map((c) => [
    c.cloud,
    `${c.storageClass} ${c.region}`,
    c.withRules.steadyStateGb === null ? `never (${gbText(c.withRules.gbAtHorizon)} on day ${r.days})` : gbText(c.withRules.steadyStateGb),
    c.withRules.steadyStateDay === null ? 'never' : String(c.withRules.steadyStateDay),
    money(c.withRules.monthlyCost, r.currency),
    gbText(c.withoutRules.gbAtHorizon),
    money(c.withoutRules.monthlyCost, r.currency),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  lines.push(fmt(header), ...rows.map(fmt), '');
  for (const c of r.clouds) {
    const parts = TERM_NAMES.filter((t) => c.withRules.breakdownGb[t] > 0).map((t) => `${TERM_LABELS[t]} ${gbText(c.withRules.breakdownGb[t])} GB`);
    lines.push(`${c.cloud} with rules: ${parts.join(', ') || 'nothing stored'}`);
    if (c.withoutRules.steadyStateGb === null && c.pricePerGbMonth !== null) {
      const growth = w.dailyGb * DAYS_PER_MONTH * c.pricePerGbMonth;
      lines.push(`${c.cloud} without rules: nothing expires; the bill grows by about ${money(round(growth, 2), r.currency)} every month`);
    }
  }
  const sources = [...new Set(r.clouds.filter((c) => c.priceSource).map((c) => `${c.priceSource} as of ${c.priceAsOf}`))];
  if (sources.length > 0) lines.push('', `Prices (${r.currency} per GB-month, storage only): ${sources.join('; ')}.`);
  return `${lines.join('\n')}\n`;
}

export function registerCostCommand(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  program
    .command('cost')
    .description('estimate stored GB and the monthly storage price per cloud under an environment\'s retention, with and without the lifecycle rules')
    .option('--env <name>', 'environment of the config file (required)')
    .option('--config <file>', 'environments file', DEFAULT_CONFIG_FILE)
    .option('--daily-gb <n>', 'GB your XComs write to object storage per day, after compression (required)')
    .option('--days <n>', 'days to simulate (and to plot)', '90')
    .addOption(new Option('--cloud <cloud...>', 'only these clouds (default: every cloud the environment has)').choices([...COST_CLOUDS]))
    .option('--purge-fraction <f>', 'share of written versions the backend purges the same day (task retries, clears)', String(WORKLOAD_DEFAULTS.purgeFraction))
    .option('--overwrite-fraction <f>', 'share of written versions replaced by a second write of the same key the same day', String(WORKLOAD_DEFAULTS.overwriteFraction))
    .option('--incomplete-upload-fraction <f>', 'extra bytes, as a share of the daily volume, left in uploads that never complete', String(WORKLOAD_DEFAULTS.incompleteUploadFraction))
    .option('--object-mb <n>', 'mean object size in MB (sets the number of S3 delete markers)', String(WORKLOAD_DEFAULTS.objectMb))
    .option('--prices <file>', 'price table (JSON or YAML, shaped like lib/cost/prices.json) whose entries replace the built-in ones')
    .option('--json', 'print the estimate as JSON (with the daily series)')
    .option('--plot <file.png>', 'write a PNG chart of stored GB over the days, with and without lifecycle rules, one line per cloud')
    .option('--force', 'replace an existing --plot file')
    .addHelpText('after', EXAMPLES)
    .action((o: CostOptions) => {
      const { workload, days } = parseWorkload(o);
      if (o.plot) checkPlotTarget(o.plot, o.force === true);
      const [name, env] = loadEnvironment(o);
      const prices = loadPrices(o.prices);
      const wanted = o.cloud ?? COST_CLOUDS;
      const missing = wanted.filter((c) => !env[c]);
      if (o.cloud && missing.length > 0) {
        const has = COST_CLOUDS.filter((c) => env[c]);
        throw new UsageError(`--cloud ${missing.join(' ')}: environment ${name} does not deploy to ${missing.join(', ')}; it has ${has.join(', ') || 'no cloud'}`);
      }
      if (!COST_CLOUDS.some((c) => env[c])) throw new CliError(`environment ${name} deploys to no cloud: add an aws, gcp or azure section to ${o.config}`);
      const quiet = (program.opts() as { quiet?: boolean }).quiet === true;
      const { report, estimates } = costReport(name, env, workload, days, prices, wanted);
      if (!quiet) for (const c of report.clouds) for (const w of c.warnings) io.stderr.write(`warning: ${w}\n`);
      if (o.plot) {
        let png: Buffer;
        try {
          png = renderPng(plotSpec(estimates, { title: `xcomkit cost: ${name}, ${gbText(workload.dailyGb)} GB/day` }));
        } catch (e) {
          if (e instanceof PlotError) throw new CliError(e.message);
          throw e;
        }
        try {
          writeBinaryFileSafely(o.plot, png, { force: o.force });
        } catch (e) {
          if (e instanceof CliError) throw new CliError(`--plot: ${e.message}`);
          throw e;
        }
        if (!quiet) io.stderr.write(`wrote ${o.plot} (${png.length} bytes)\n`);
      }
      io.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderCostTable(report));
    });
}
