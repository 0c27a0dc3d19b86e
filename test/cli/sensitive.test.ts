import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load } from '../airflow/bindings';
import { cli } from './helpers';

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-sensitive-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tfOutput(binding: unknown, sensitive: boolean): string {
  const file = path.join(tmp, 'tf.json');
  fs.writeFileSync(file, JSON.stringify({ airflow_binding: { value: JSON.stringify(binding), type: 'string', sensitive } }));
  return file;
}

describe('sensitive outputs and secret-shaped extras', () => {
  test('a binding output marked sensitive is not printed without --show-secrets', async () => {
    const file = tfOutput(load('gcp-workload-identity'), true);
    const r = await cli(['env', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/holds credentials or values marked sensitive: add --output <file>, or --show-secrets/);
    const shown = await cli(['env', file, '--show-secrets']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH='gs:/);
    const out = path.join(tmp, 'out.env');
    expect((await cli(['env', file, '-o', out])).code).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });

  test('the same output not marked sensitive prints as usual', async () => {
    expect((await cli(['env', tfOutput(load('gcp-workload-identity'), false)])).code).toBe(0);
  });

  test('show hides the details of a sensitive binding', async () => {
    const r = await cli(['show', tfOutput(load('gcp-workload-identity'), true)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/marked sensitive: details hidden/);
    expect(r.stdout).not.toContain('my-airflow-project');
  });

  test.each(['password', 'account_key', 'sas_token', 'connection_string'])('a "%s" in connection.extra makes the connection a secret', async (key) => {
    const b = load('azure-workload-identity') as any;
    b.connection.extra[key] = 'TOP-SECRET-VALUE';
    const file = path.join(tmp, 'b.json');
    fs.writeFileSync(file, JSON.stringify(b));
    for (const format of ['dotenv', 'shell', 'json', 'k8s']) {
      const r = await cli(['env', file, '--format', format]);
      expect(r.code).toBe(2);
      expect(r.stdout).not.toContain('TOP-SECRET-VALUE');
    }
    const helm = await cli(['env', file, '--format', 'helm']);
    expect(helm.code).toBe(2);
    expect(helm.stderr).toMatch(/add --secret-output <file>/);
    const secretFile = path.join(tmp, 'secret.yaml');
    const ok = await cli(['env', file, '--format', 'helm', '--secret-output', secretFile]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain('TOP-SECRET-VALUE');
    expect(fs.readFileSync(secretFile, 'utf8')).toContain('TOP-SECRET-VALUE');
    const show = await cli(['show', file]);
    expect(show.stdout).not.toContain('TOP-SECRET-VALUE');
    expect(show.stdout).toContain(`${key}=<hidden: secret-shaped>`);
  });
});
