/**
 * The real stacks' synth outputs (no deploy), from `npm run synth` (AWS CDK, GCP and Azure CDKTF),
 * read by xcomkit in every format. Deploy-time values must come out as placeholders, never empty.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FORMAT_NAMES } from '../../lib/airflow/formats';
import { cli, ROOT } from './helpers';

describe('synth outputs of the real stacks (env dev)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-synth-'));
    // `npm run synth -- --env dev` (its output is the CLI path's: test/apps/synth.integration.test.ts).
    const synth = spawnSync(process.execPath, ['dist/bin/synth.js', '--env', 'dev', '-q', '--cdk-out', path.join(tmp, 'cdk.out'), '--cdktf-out', path.join(tmp, 'cdktf.out')], { cwd: ROOT, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`npm run synth failed: ${synth.stderr}`);
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('show finds the AWS binding in cdk.out and GCP and Azure in cdktf.out', async () => {
    expect((await cli(['show', path.join(tmp, 'cdk.out')])).stdout).toMatch(/^aws\/dev .*\[synth: deploy-time placeholders\]/m);
    const tf = await cli(['show', path.join(tmp, 'cdktf.out')]);
    expect(tf.code).toBe(0);
    expect(tf.stdout).toMatch(/^azure\/dev /m);
    expect(tf.stdout).toMatch(/^gcp\/dev /m);
  });

  const sources = [
    ['aws', 'cdk.out'],
    ['gcp', 'cdktf.out'],
    ['azure', 'cdktf.out'],
  ];
  for (const [cloud, dir] of sources) {
    for (const format of FORMAT_NAMES) {
      if (format === 'mwaa' && cloud !== 'aws') continue;
      test(`${cloud}: ${format} from the synth`, async () => {
        const r = await cli(['env', path.join(tmp, dir), '--cloud', cloud, '--env', 'dev', '--format', format]);
        expect(r.stderr).not.toMatch(/error:/);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH|common\.io\.xcom_objectstorage_path/);
        expect(r.stdout).not.toMatch(/(=''|: ""|": "")/);
        if (format === 'k8s' || format === 'helm') expect(() => parseAllDocuments(r.stdout).map((d) => d.toJS())).not.toThrow();
        if (format === 'json' || format === 'mwaa') expect(() => JSON.parse(r.stdout)).not.toThrow();
        if (r.stdout.includes('<deploy-time:')) expect(r.stderr).toMatch(/not deployable yet/);
      });
    }
  }
});
