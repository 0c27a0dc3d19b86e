import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { CostReport } from '../../lib/cli/cost-command';
import { pngInfo } from '../cost/png';
import { cli, ROOT } from './helpers';

const CONFIG = path.join(ROOT, 'config/environments.yaml');
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-cost-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cost = (...args: string[]) => cli(['cost', '--config', CONFIG, ...args]);
const json = async (...args: string[]) => {
  const r = await cost(...args, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as CostReport;
};
const writeConfig = (environments: Record<string, unknown>) => {
  const file = path.join(tmp, 'environments.yaml');
  fs.writeFileSync(file, stringify({ environments }));
  return file;
};

describe('xcomkit cost', () => {
  test('prod at 50 GB a day: the table shows every cloud with steady GB, its day and both monthly prices', async () => {
    const r = await cost('--env', 'prod', '--daily-gb', '50');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const row = (cloud: string) => r.stdout.split('\n').find((l) => l.startsWith(`${cloud} `))!;
    // 30 days current + 7 noncurrent = 37 days of 50 GB; S3 Standard eu-west-1 at 0.023.
    expect(row('aws')).toMatch(/^aws\s+STANDARD eu-west-1\s+1,850\s+37\s+42\.55 USD\s+4,505\s+103\.60 USD$/);
    // GCS prod has 7 days of soft delete on top.
    expect(row('gcp')).toMatch(/^gcp\s+STANDARD EU\s+2,200\s+44\s+57\.20 USD/);
    expect(row('azure')).toMatch(/^azure\s+HOT_GZRS westeurope\s+1,850\s+37\s/);
    expect(r.stdout).toContain('retention 30 d current, 7 d noncurrent');
    expect(r.stdout).toMatch(/Prices \(USD per GB-month, storage only\): built-in price table \(lib\/cost\/prices\.json\) as of \d{4}-\d{2}-\d{2}\./);
  });

  test('--json: the figures, the breakdown per term and the daily series of both scenarios', async () => {
    const report = await json('--env', 'prod', '--daily-gb', '50', '--days', '60', '--cloud', 'aws');
    expect(report.clouds.map((c) => c.cloud)).toEqual(['aws']);
    const aws = report.clouds[0];
    expect(aws.withRules.breakdownGb).toEqual({ current: 1500, noncurrent: 350, deleteMarkers: 0.053406, softDelete: 0, containerSoftDelete: 0, incompleteUploads: 0.05 });
    // markers: 51,200 objects a day x 160 bytes x 7 days; incomplete uploads: 0.1 % for 1 day
    expect(aws.withRules.steadyStateGb).toBeCloseTo(1850 + (51_200 * 160 * 7) / 2 ** 30 + 0.05, 6);
    expect(aws.withRules.steadyStateDay).toBe(37);
    expect(aws.withRules.monthlyCost).toBeCloseTo(aws.withRules.steadyStateGb! * 0.023, 4);
    expect(aws.withRules.monthlyCostBasis).toBe('steady-state');
    expect(aws.withRules.series).toHaveLength(60);
    expect(aws.withoutRules.steadyStateGb).toBeNull();
    expect(aws.withoutRules.monthlyCostBasis).toBe('last-day');
    expect(aws.withoutRules.gbAtHorizon).toBeCloseTo(60 * 50.05, 6);
    expect(aws).toMatchObject({ region: 'eu-west-1', storageClass: 'STANDARD', pricePerGbMonth: 0.023, warnings: [] });
    expect(report.workload).toEqual({ dailyGb: 50, purgeFraction: 0, overwriteFraction: 0, incompleteUploadFraction: 0.001, objectMb: 1, keyBytes: 160 });
  });

  test('purges shorten what is kept under the rules, and change nothing without them', async () => {
    const base = (await json('--env', 'dev', '--daily-gb', '10', '--cloud', 'gcp', '--incomplete-upload-fraction', '0')).clouds[0];
    const purged = (await json('--env', 'dev', '--daily-gb', '10', '--cloud', 'gcp', '--incomplete-upload-fraction', '0', '--purge-fraction', '0.5')).clouds[0];
    // dev: 7 d current, 1 d noncurrent. Half the versions purged skip their 7 current days.
    expect(base.withRules.steadyStateGb).toBe(80);
    expect(purged.withRules.steadyStateGb).toBe(45);
    expect(purged.withoutRules.gbAtHorizon).toBe(base.withoutRules.gbAtHorizon);
  });

  test('--plot writes a PNG (mode 0600) and refuses to replace it without --force', async () => {
    const out = path.join(tmp, 'cost.png');
    const r = await cost('--env', 'dev', '--daily-gb', '1', '--days', '30', '--plot', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*cost\.png \(\d+ bytes\)\n$/);
    const png = fs.readFileSync(out);
    expect(pngInfo(png).width).toBeGreaterThan(600);
    expect(png.length).toBeGreaterThan(10_000);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    const again = await cost('--env', 'dev', '--daily-gb', '1', '--plot', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--plot ${out} exists; pass --force to replace it`);
    expect(again.stdout).toBe('');
    expect((await cost('--env', 'dev', '--daily-gb', '1', '--plot', out, '--force', '--quiet')).code).toBe(0);
  });

  test('--plot into a missing directory fails before any work, naming the flag and the fix', async () => {
    const out = path.join(tmp, 'no-such-dir', 'cost.png');
    const r = await cost('--env', 'dev', '--daily-gb', '1', '--plot', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--plot ${out}: directory ${path.dirname(out)} does not exist; create it or choose another path`);
    expect(r.stdout).toBe('');
  });

  test('--plot must be a .png file, not a directory', async () => {
    expect((await cost('--env', 'dev', '--daily-gb', '1', '--plot', path.join(tmp, 'cost.svg'))).stderr).toContain('give a file name ending in .png');
    const dir = path.join(tmp, 'd.png');
    fs.mkdirSync(dir);
    const r = await cost('--env', 'dev', '--daily-gb', '1', '--plot', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--plot ${dir} is a directory`);
  });

  test('--prices: entries of the file win, and the output names the file and its date', async () => {
    const prices = path.join(tmp, 'prices.yaml');
    fs.writeFileSync(prices, stringify({ asOf: '2026-11-01', currency: 'USD', unit: 'GB-month', sources: { aws: 'EDP rate card' }, prices: { aws: { STANDARD: { 'eu-west-1': 0.01 } } } }));
    const report = await json('--env', 'prod', '--daily-gb', '50', '--prices', prices);
    const [aws, gcp] = report.clouds;
    expect(aws).toMatchObject({ pricePerGbMonth: 0.01, priceSource: prices, priceAsOf: '2026-11-01' });
    expect(aws.withRules.monthlyCost).toBeCloseTo(18.501, 3); // 1,850.1 GB x 0.01
    expect(gcp.priceSource).toContain('built-in');
  });

  test('--prices with an invalid table: exit 1, naming the file, the field and the value', async () => {
    const prices = path.join(tmp, 'prices.json');
    fs.writeFileSync(prices, JSON.stringify({ asOf: '2026-11-01', currency: 'USD', unit: 'GB-month', sources: { aws: 'x' }, prices: { aws: { STANDARD: { 'eu-west-1': -1 } } } }));
    const r = await cost('--env', 'prod', '--daily-gb', '50', '--prices', prices);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--prices invalid price table ${prices}`);
    expect(r.stderr).toContain('prices.aws.STANDARD.eu-west-1: -1 is not valid');
    const missing = await cost('--env', 'prod', '--daily-gb', '50', '--prices', path.join(tmp, 'none.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read it (ENOENT)');
  });

  test('a region without a price: a warning, "no price" in the table, null in JSON', async () => {
    const config = writeConfig({ lab: { aws: { region: 'me-central-1' } } });
    const r = await cli(['cost', '--config', config, '--env', 'lab', '--daily-gb', '5']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: no price for aws STANDARD in me-central-1: add it to a price file');
    expect(r.stdout).toMatch(/^aws .* no price/m);
    const j = JSON.parse((await cli(['cost', '--config', config, '--env', 'lab', '--daily-gb', '5', '--json'])).stdout) as CostReport;
    expect(j.clouds[0].withRules.monthlyCost).toBeNull();
  });

  test('noncurrentNewerVersions: warns that S3 and GCS then never remove versions of keys written once', async () => {
    const config = writeConfig({ lab: { retention: { currentDays: 7, noncurrentDays: 1, noncurrentNewerVersions: 1 }, aws: { region: 'eu-west-1' } } });
    const r = await cli(['cost', '--config', config, '--env', 'lab', '--daily-gb', '1', '--days', '20']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('retention.noncurrentNewerVersions (1) is ANDed with noncurrentDays');
    expect(r.stdout).toMatch(/^aws\s+STANDARD eu-west-1\s+never \(20 on day 20\)\s+never/m);
  });

  test.each([
    [['--daily-gb', '-5'], '--daily-gb "-5" is not valid: must be a number of GB written per day, more than 0 and at most 100000 (for example --daily-gb 50)'],
    [['--daily-gb', '0'], '--daily-gb "0" is not valid'],
    [['--daily-gb', 'lots'], '--daily-gb "lots" is not valid'],
    [['--daily-gb', '1e3'], '--daily-gb "1e3" is not valid'],
    [['--daily-gb', '250000'], 'at most 100000'],
    [['--daily-gb', '5', '--days', '0'], '--days "0" is not valid: must be a whole number of days to simulate, at least 1 and at most 3650'],
    [['--daily-gb', '5', '--days', '7.5'], '--days "7.5" is not valid'],
    [['--daily-gb', '5', '--days', '99999'], '--days "99999" is not valid'],
    [['--daily-gb', '5', '--purge-fraction', '1.5'], '--purge-fraction "1.5" is not valid: must be a number of the written versions (a share from 0 to 1)'],
    [['--daily-gb', '5', '--purge-fraction', '0.6', '--overwrite-fraction', '0.6'], '--purge-fraction 0.6 plus --overwrite-fraction 0.6 is more than 1'],
    [['--daily-gb', '5', '--object-mb', '0'], '--object-mb "0" is not valid'],
    [[], '--daily-gb is required'],
  ])('rejects %j with exit 2 and a message naming the flag, the value and the fix', async (args, message) => {
    const r = await cost('--env', 'dev', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  test('an unknown environment: exit 2, listing the known ones', async () => {
    const r = await cost('--env', 'qa', '--daily-gb', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--env qa: unknown environment "qa": known environments are dev, staging, prod');
  });

  test('no --env: exit 2', async () => {
    const r = await cost('--daily-gb', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--env is required');
  });

  test('--cloud of a cloud the environment does not deploy to: exit 2, naming what it has', async () => {
    const config = writeConfig({ lab: { aws: { region: 'eu-west-1' } } });
    const r = await cli(['cost', '--config', config, '--env', 'lab', '--daily-gb', '5', '--cloud', 'gcp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cloud gcp: environment lab does not deploy to gcp; it has aws');
  });

  test('an invalid or missing config file: exit 1 with the config loader\'s message', async () => {
    const bad = writeConfig({ lab: { retention: { currentDays: 0 }, aws: { region: 'eu-west-1' } } });
    const r = await cli(['cost', '--config', bad, '--env', 'lab', '--daily-gb', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments.lab.retention.currentDays: 0 is not valid: currentDays must be at least 1 day');
    const missing = await cli(['cost', '--config', path.join(tmp, 'nope.yaml'), '--env', 'lab', '--daily-gb', '5']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the file');
  });

  test('is listed in the top-level help', async () => {
    const r = await cli(['--help']);
    expect(r.stdout).toMatch(/^\s+cost \[options\]\s+estimate stored GB/m);
  });
});
