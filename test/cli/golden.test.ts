/**
 * Golden files: every output format for every cloud and identity mode, so a reviewer sees each change
 * to generated Airflow configuration. Regenerate with `UPDATE_GOLDEN=1 npx jest test/cli/golden`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FORMAT_NAMES } from '../../lib/airflow/formats';
import { cli, fakeResolvers, fixture, MODES } from './helpers';

const GOLDEN = path.join(__dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string) {
  const file = path.join(GOLDEN, name);
  if (update) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  if (!fs.existsSync(file)) throw new Error(`no golden file ${name}: create it with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

const SECRET_MODES = ['aws-user', 'gcp-key', 'azure-key'];
// MWAA runs on AWS: GCP/Azure identities are refused there (tested in cli.test.ts).
const MWAA_REFUSED = ['gcp-workload-identity', 'azure-workload-identity', 'gcp-key', 'azure-key'];

describe('golden output', () => {
  for (const mode of MODES) {
    for (const format of FORMAT_NAMES) {
      if (format === 'mwaa' && MWAA_REFUSED.includes(mode)) continue;
      test(`${format} for ${mode}`, async () => {
        const r = await cli(['env', fixture(mode), '--format', format]);
        expect(r.code).toBe(0);
        expectGolden(`${mode}.${format}.txt`, r.stdout);
      });
    }
  }

  for (const mode of SECRET_MODES) {
    for (const format of FORMAT_NAMES.filter((f) => f !== 'mwaa')) {
      test(`${format} for ${mode} with resolved secrets`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-golden-'));
        try {
          const extra = format === 'helm' ? ['--secret-output', path.join(dir, 'secret.yaml')] : ['--show-secrets'];
          const r = await cli(['env', fixture(mode), '--format', format, '--resolve-secrets', ...extra], { resolverFactory: fakeResolvers() });
          expect(r.stderr).toEqual(format === 'helm' ? expect.stringContaining('wrote') : '');
          expect(r.code).toBe(0);
          const secret = format === 'helm' ? `\n# ---- --secret-output ----\n${fs.readFileSync(path.join(dir, 'secret.yaml'), 'utf8')}` : '';
          expectGolden(`${mode}.${format}.resolved.txt`, r.stdout + secret);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }

  test('requirements for every mode, and with the runtime backend and a mirror', async () => {
    const out: string[] = [];
    for (const mode of MODES) out.push((await cli(['requirements', fixture(mode)])).stdout);
    out.push((await cli(['requirements', fixture('aws-role'), '--backend', 'xcomkit', '--mirror', fixture('gcp-workload-identity')])).stdout);
    expectGolden('requirements.txt', out.join('\n'));
  });

  test('a mirror: S3 primary with a GCS mirror, in every format but MWAA', async () => {
    const out: string[] = [];
    for (const format of FORMAT_NAMES.filter((f) => f !== 'mwaa')) {
      const r = await cli(['env', fixture('aws-role'), '--backend', 'xcomkit', '--mirror', fixture('gcp-workload-identity'), '--format', format]);
      expect(r.code).toBe(0);
      out.push(`# ==== ${format}\n${r.stdout}`);
    }
    expectGolden('mirror-aws-role+gcp-workload-identity.txt', out.join('\n'));
  });

  test('show', async () => {
    const out: string[] = [];
    for (const mode of MODES) out.push((await cli(['show', fixture(mode)])).stdout.replace(fixture(mode), `<fixtures>/${mode}.json`));
    expectGolden('show.txt', out.join('\n'));
  });
});
