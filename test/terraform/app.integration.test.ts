// The real entry point (bin/terraform.ts) in a child process, as `cdktf synth` and `npm run synth:tf` run it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-tf-'));
}


describe('bin/terraform.ts', () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  function run(args: string[], env: Record<string, string>) {
    const outdir = tempDir();
    const result = spawnSync(tsx, ['bin/terraform.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, XCOMKIT_ENV: '', XCOMKIT_CONFIG: '', ...env, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    const stacks = fs.existsSync(path.join(outdir, 'stacks')) ? fs.readdirSync(path.join(outdir, 'stacks')).sort() : [];
    fs.rmSync(outdir, { recursive: true, force: true });
    return { status: result.status, stderr: result.stderr, stacks };
  }

  test('XCOMKIT_ENV selects one environment, warning about the sample values left in it', () => {
    const r = run([], { XCOMKIT_ENV: 'prod' });
    expect(r).toMatchObject({ status: 0, stacks: ['azure-prod', 'gcp-prod'] });
    expect(r.stderr).toMatch(/^warning: environments\.prod\.gcp\.project is "my-airflow-project", the sample GCP project/m);
    expect(r.stderr).toMatch(/^warning: environments\.prod\.azure\.storageAccountName is "airflowxcomsprd0"/m);
    expect(r.stderr).not.toMatch(/environments\.dev\./);
  });

  test('the first argument selects one environment (npm run synth:tf -- dev)', () => {
    expect(run(['dev'], {})).toMatchObject({ status: 0, stacks: ['azure-dev', 'gcp-dev'] });
  });

  test('XCOMKIT_CONFIG points at another file; a bad file exits 1 (as the CDK app does) with the problem', () => {
    const dir = tempDir();
    try {
      const good = path.join(dir, 'good.yaml');
      fs.writeFileSync(good, `environments:\n  qa:\n    gcp:\n      project: acme-data-prod\n      location: EU\n      identity: { mode: key }\n`);
      expect(run([], { XCOMKIT_CONFIG: good })).toMatchObject({ status: 0, stacks: ['gcp-qa'] });
      const bad = path.join(dir, 'bad.yaml');
      fs.writeFileSync(bad, `environments:\n  qa:\n    azure:\n      location: westeurope\n      resourceGroup: { name: rg }\n      storageAccountName: Bad_Name\n      identity: { mode: key, keyVaultName: kv-acme }\n`);
      const failed = run([], { XCOMKIT_CONFIG: bad });
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain('environments.qa.azure.storageAccountName: "Bad_Name" is not valid: must be 3-24 lower-case letters and digits');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
