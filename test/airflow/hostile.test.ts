/**
 * Hostile bindings (hand-edited, or from a compromised deploy output): whatever a binding string
 * holds, sourcing the shell or dotenv output runs nothing, and the Kubernetes and Helm outputs parse
 * to exactly the documents and keys expected. Two layers are checked: validation refuses control
 * characters in every string, and the renderers stay inert even for a binding that skipped it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { AirflowSettingsError } from '../../lib/airflow/errors';
import { renderDotenv } from '../../lib/airflow/formats/dotenv';
import { renderHelm } from '../../lib/airflow/formats/helm';
import { renderKubernetes } from '../../lib/airflow/formats/kubernetes';
import { renderShell } from '../../lib/airflow/formats/shell';
import { AirflowSettings, buildSettings } from '../../lib/airflow/settings';
import { validateBinding } from '../../lib/airflow/validate';
import { AirflowBinding } from '../../lib/binding';
import { load } from './bindings';

/** Pieces that break out of a comment, a quote or a YAML document, and commands that leave a trace. */
const HOSTILE = [
  '\n', '\r', '\r\n', '\u2028', '\u0085', '\u001b[2J', '#', "'", '"', '`', '$', '\\', ';', '|', '&', ': ', '- ', '---', '...', '{', '}', '[', ']',
  '\ntouch pwned #', "'; touch pwned; '", '$(touch pwned)', '`touch pwned`', '\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: evil, namespace: kube-system}\n',
  '\nexport AIRFLOW__CORE__XCOM_BACKEND=evil\n', ' ', 'dev', 'xcom', 'a/b',
];
const hostileString = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

/** Binding string fields a hostile input may set (the connection id is excluded for the unvalidated layer: env var names are asserted). */
const FIELDS: Array<[string, (b: any, v: string) => void]> = [
  ['environment', (b, v) => (b.environment = v)],
  ['storage.bucket', (b, v) => (b.storage.bucket = v)],
  ['storage.prefix', (b, v) => (b.storage.prefix = v)],
  ['storage.region', (b, v) => (b.storage.region = v)],
  ['xcom.path', (b, v) => (b.xcom.path = v)],
  ['connection.extra value', (b, v) => (b.connection.extra.region_name = v)],
  ['identity.principal', (b, v) => (b.identity.principal = v)],
  ['identity.secret.name', (b, v) => b.identity.secret && (b.identity.secret.name = v)],
  ['identity.secret.connectionsPrefix', (b, v) => b.identity.secret && (b.identity.secret.connectionsPrefix = v)],
  ['identity.secret.id', (b, v) => b.identity.secret && (b.identity.secret.id = v)],
];
/** Examples per property; the mutation run (scripts/mutation.sh) lowers it to keep each mutant fast. */
const RUNS = Number(process.env.XCOMKIT_FUZZ_RUNS ?? 40);
const MODES = ['aws-user', 'aws-role', 'gcp-workload-identity', 'gcp-key', 'azure-workload-identity', 'azure-key'];

const hostileBinding = fc
  .record({ mode: fc.constantFrom(...MODES), edits: fc.array(fc.tuple(fc.integer({ min: 0, max: FIELDS.length - 1 }), hostileString), { minLength: 1, maxLength: 4 }) })
  .map(({ mode, edits }) => {
    const b = load(mode) as any;
    for (const [i, v] of edits) FIELDS[i][1](b, v);
    return b as AirflowBinding;
  });

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-hostile-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const expected = (s: AirflowSettings) => Object.fromEntries(s.settings.map((x) => [x.name, x.value]));

/** Sources `text` in a bash subshell started in an empty directory; returns the AIRFLOW_* variables and what the directory holds after. */
function source(text: string, allexport: boolean): { env: Record<string, string>; files: string[] } {
  const dir = fs.mkdtempSync(path.join(tmp, 'run-'));
  fs.writeFileSync(path.join(dir, 'out'), text);
  const out = execFileSync('bash', ['-c', `${allexport ? 'set -a; ' : ''}. ./out >/dev/null 2>&1; env -0`], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  const env: Record<string, string> = {};
  for (const entry of out.toString().split('\0')) {
    const eq = entry.indexOf('=');
    if (entry.startsWith('AIRFLOW_')) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const files = fs.readdirSync(dir).filter((f) => f !== 'out');
  fs.rmSync(dir, { recursive: true, force: true });
  return { env, files };
}

function expectInert(s: AirflowSettings) {
  const shell = source(renderShell(s).main, false);
  expect(shell.files).toEqual([]);
  expect(shell.env).toEqual(expected(s));

  let dotenv: string | undefined;
  try {
    dotenv = renderDotenv(s).main;
  } catch (e) {
    expect(e).toBeInstanceOf(AirflowSettingsError); // refused, naming the field: fine
  }
  if (dotenv !== undefined) {
    const r = source(dotenv, true);
    expect(r.files).toEqual([]);
    expect(r.env).toEqual(expected(s));
  }

  const docs = parseAllDocuments(renderKubernetes(s).main);
  for (const d of docs) expect(d.errors).toEqual([]);
  const js = docs.map((d) => d.toJS());
  const accounts = (s.bindings[0].identity.kubernetesServiceAccounts ?? []).length;
  const hasAccounts = js.filter((d) => d.kind === 'ServiceAccount').length;
  expect(js.map((d) => d.kind)).toEqual(['ConfigMap', ...Array(hasAccounts).fill('ServiceAccount')]);
  expect(hasAccounts).toBeLessThanOrEqual(accounts);
  expect(js[0].data).toEqual(expected(s));
  for (const sa of js.slice(1)) expect(sa.metadata.namespace).not.toBe('kube-system');

  const helm = parseYaml(renderHelm(s).main);
  expect(Object.keys(helm).sort()).toEqual(expect.arrayContaining(['env']));
  expect(Object.keys(helm).every((k) => ['env', 'workers'].includes(k))).toBe(true);
  expect(Object.fromEntries(helm.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toEqual(expected(s));
}

describe('hostile bindings', () => {
  test('validation refuses a control character in any string field, naming the field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.integer({ min: 0, max: FIELDS.length - 1 }), fc.constantFrom('\n', '\r', '\u0000', '\u001b', '\u007f', '\u0085', '\u2028'), (mode, i, c) => {
        const b = load(mode) as any;
        if (FIELDS[i][0].startsWith('identity.secret') && !b.identity.secret) return;
        FIELDS[i][1](b, `dev${c}touch pwned #`);
        expect(() => validateBinding(b)).toThrow(AirflowSettingsError);
        try {
          validateBinding(b);
        } catch (e) {
          const field = FIELDS[i][0].replace(' value', '').replace('connection.extra', 'connection.extra.region_name');
          expect((e as Error).message).toContain(field);
          // Messages quote the value escaped: no raw control character reaches the terminal.
          expect((e as Error).message.replace(/\n {2}- /g, ' ')).not.toMatch(/[\n\r\u0000\u001b\u007f\u0085\u2028]/);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test('a binding that passes validation renders inert shell, dotenv, k8s and helm output', () => {
    fc.assert(
      fc.property(hostileBinding, (raw) => {
        let s: AirflowSettings;
        try {
          s = buildSettings(validateBinding(raw));
        } catch (e) {
          expect(e).toBeInstanceOf(AirflowSettingsError); // refused with a message: fine
          return;
        }
        expectInert(s);
      }),
      { numRuns: RUNS },
    );
  });

  test('even a binding that skipped validation cannot break out of a comment or a document', () => {
    fc.assert(
      fc.property(hostileBinding, (b) => {
        let s: AirflowSettings;
        try {
          s = buildSettings(b);
        } catch (e) {
          expect(e).toBeInstanceOf(AirflowSettingsError);
          return;
        }
        expectInert(s);
      }),
      { numRuns: RUNS },
    );
  });

  test.each([
    ['environment', (b: any) => (b.environment = 'dev\ntouch pwned #')],
    [
      'identity.secret.connectionsPrefix',
      (b: any) => {
        b.identity.secret.connectionsPrefix = 'airflow\ntouch pwned #';
        b.identity.secret.name = 'airflow\ntouch pwned #/aws_xcoms';
      },
    ],
  ])('the reported attack through %s is refused and, unvalidated, stays a comment', (field, change) => {
    const b = load('aws-user') as any;
    change(b);
    expect(() => validateBinding(b)).toThrow(new RegExp(`${field.replace(/\./g, '\\.')}.*(control characters|must be 1-20)`));
    expectInert(buildSettings(b));
  });

  test('the reported extra ServiceAccount in kube-system cannot be injected', () => {
    const b = load('gcp-workload-identity') as any;
    b.environment = 'prod\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: evil\n  namespace: kube-system';
    const docs = parseAllDocuments(renderKubernetes(buildSettings(b)).main).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`)).toEqual(['ConfigMap//airflow-xcoms-config', 'ServiceAccount/airflow/airflow-worker']);
  });
});
