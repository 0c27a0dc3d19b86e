/**
 * Every format parsed back with a real reader and compared with the binding: YAML (yaml package),
 * JSON, POSIX shell (bash), dotenv (python-dotenv from the project's venv when present, and a parser
 * following docker compose's rules for single-quoted values).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { renderDotenv, dotenvQuote } from '../../lib/airflow/formats/dotenv';
import { renderHelm } from '../../lib/airflow/formats/helm';
import { renderJson } from '../../lib/airflow/formats/json';
import { renderKubernetes } from '../../lib/airflow/formats/kubernetes';
import { renderMwaa } from '../../lib/airflow/formats/mwaa';
import { renderShell, shellQuote } from '../../lib/airflow/formats/shell';
import { AirflowSettings, buildSettings } from '../../lib/airflow/settings';
import { AirflowBinding } from '../../lib/binding';
import { load } from './bindings';

const MODES = ['aws-user', 'aws-role', 'gcp-workload-identity', 'gcp-key', 'azure-workload-identity', 'azure-key'];
const PYTHON = path.resolve(__dirname, '../../.venv/bin/python');
const hasDotenv = fs.existsSync(PYTHON) && (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import dotenv'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A resolved credential with the characters that make quoting hard: quotes, $, backticks, \n escapes. */
const trickySecret = (connType: string) => JSON.stringify({
  conn_type: connType,
  extra: { project: 'p', keyfile_dict: { private_key: '-----BEGIN PRIVATE KEY-----\nMII$HOME`x`"q"\n-----END PRIVATE KEY-----\n' } },
});

function settingsFor(mode: string, resolved = false): AirflowSettings {
  const b = load(mode);
  return buildSettings(b, resolved && b.identity.secret ? { resolvedConnections: { [b.connection.id]: trickySecret(b.connection.type) } } : {});
}

const expected = (s: AirflowSettings) => Object.fromEntries(s.settings.map((x) => [x.name, x.value]));

/** What the binding says must come out, read back from a parsed environment. */
function expectMatchesBinding(env: Record<string, string>, b: AirflowBinding) {
  expect(env.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH).toBe(b.xcom.path);
  expect(Number(env.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD)).toBe(b.xcom.threshold);
  expect(env.AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION).toBe(b.xcom.compression ?? undefined);
  const conn = env[`AIRFLOW_CONN_${b.connection.id.toUpperCase()}`];
  if (conn) expect(JSON.parse(conn).conn_type).toBe(b.connection.type);
  if (b.identity.secret && !conn) expect(JSON.parse(env.AIRFLOW__SECRETS__BACKEND_KWARGS).connections_prefix).toBe(b.identity.secret.connectionsPrefix);
}

/** docker compose (compose-go) dotenv rules for the lines we emit: comments, KEY='literal'. */
function composeParse(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`compose would reject: ${line}`);
    const raw = m[2];
    // Single-quoted: up to the next unescaped quote, taken literally (no escapes, no interpolation).
    if (raw.startsWith("'")) {
      let end = 1;
      while (end < raw.length && !(raw[end] === "'" && raw[end - 1] !== '\\')) end++;
      env[m[1]] = raw.slice(1, end);
    } else {
      env[m[1]] = raw;
    }
  }
  return env;
}

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-formats-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(MODES)('%s', (mode) => {
  const variants = load(mode).identity.secret ? [false, true] : [false];
  describe.each(variants)('resolved secrets: %s', (resolved) => {
    const s = settingsFor(mode, resolved);

    test('json parses back to the settings', () => {
      const env = JSON.parse(renderJson(s).main);
      expect(env).toEqual(expected(s));
      expectMatchesBinding(env, load(mode));
    });

    test('shell, sourced by bash, gives the settings', () => {
      const file = path.join(tmp, `${mode}-${resolved}.sh`);
      fs.writeFileSync(file, renderShell(s).main);
      const out = execFileSync('bash', ['-c', `set -eu; . "$1"; node -e 'const e={};for(const k of Object.keys(process.env))if(k.startsWith("AIRFLOW_")||k.startsWith("GCSFS_"))e[k]=process.env[k];console.log(JSON.stringify(e))'`, 'x', file], {
        env: { PATH: process.env.PATH ?? '' },
      });
      expect(JSON.parse(out.toString())).toEqual(expected(s));
    });

    test('dotenv reads the same in docker compose\'s rules', () => {
      const env = composeParse(renderDotenv(s).main);
      expect(env).toEqual(expected(s));
      expectMatchesBinding(env, load(mode));
    });

    // Skipped only outside CI: in CI a missing python-dotenv fails this test instead of hiding it.
    (hasDotenv || process.env.CI === 'true' ? test : test.skip)('dotenv reads the same in python-dotenv (the real one)', () => {
      const file = path.join(tmp, `${mode}-${resolved}.env`);
      fs.writeFileSync(file, renderDotenv(s).main);
      const out = execFileSync(PYTHON, ['-c', 'import json,sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))', file]);
      expect(JSON.parse(out.toString())).toEqual(expected(s));
    });

    test('k8s: ConfigMap with settings, Secret with credentials only', () => {
      const docs = parseAllDocuments(renderKubernetes(s, { namespace: 'airflow' }).main).map((d) => d.toJS());
      const configMap = docs.find((d) => d.kind === 'ConfigMap');
      const secret = docs.find((d) => d.kind === 'Secret');
      expect(configMap.metadata).toMatchObject({ name: 'airflow-xcoms-config', namespace: 'airflow' });
      const secretEntries = s.settings.filter((x) => x.kind === 'connection' && x.secret);
      expect({ ...configMap.data, ...(secret?.stringData ?? {}) }).toEqual(expected(s));
      expect(Object.values(configMap.data).every((v) => typeof v === 'string')).toBe(true);
      if (secretEntries.length === 0) {
        expect(secret).toBeUndefined();
      } else {
        expect(Object.keys(secret.stringData)).toEqual(secretEntries.map((x) => x.name));
        expect(JSON.stringify(configMap)).not.toContain('PRIVATE KEY');
      }
    });

    test('helm: env for settings, secret references for credentials, never a credential in the values', () => {
      const r = renderHelm(s);
      const values = parseYaml(r.main);
      const secrets = s.settings.filter((x) => x.kind === 'connection' && x.secret);
      expect(Object.fromEntries(values.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toEqual(
        expected({ ...s, settings: s.settings.filter((x) => !secrets.includes(x)) }),
      );
      expect(r.main).not.toContain('PRIVATE KEY');
      if (secrets.length > 0) {
        expect(values.secret).toEqual(secrets.map((x) => ({ envName: x.name, secretName: 'airflow-xcoms-secrets', secretKey: x.name })));
        expect(parseYaml(r.secretManifest!).stringData).toEqual(Object.fromEntries(secrets.map((x) => [x.name, x.value])));
      } else {
        expect(values.secret).toBeUndefined();
        expect(r.secretManifest).toBeUndefined();
      }
    });
  });
});

describe('mwaa', () => {
  test('section.key options with string values, no connection', () => {
    const options = JSON.parse(renderMwaa(settingsFor('aws-user')).main);
    expect(options).toEqual({
      'core.xcom_backend': 'airflow.providers.common.io.xcom.backend.XComObjectStorageBackend',
      'common.io.xcom_objectstorage_path': 's3://aws_xcoms@airflow-xcoms-dev-123456789012-eu-west-1/xcom',
      'common.io.xcom_objectstorage_threshold': '1024',
      'common.io.xcom_objectstorage_compression': 'gzip',
      'secrets.backend': 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend',
      'secrets.backend_kwargs': '{"connections_prefix":"airflow/connections","variables_prefix":null,"config_prefix":null,"region_name":"eu-west-1"}',
    });
  });

  test('role mode: the connection is left to the execution role, and says so', () => {
    const r = renderMwaa(settingsFor('aws-role'));
    expect(JSON.parse(r.main)).not.toHaveProperty('secrets.backend');
    expect(r.notes.join('\n')).toMatch(/execution role/);
  });

  test.each([
    ['gcp-workload-identity', false, /workload identity MWAA does not have/],
    ['azure-key', false, /only from AWS Secrets Manager/],
    ['aws-user', true, /not secret; drop --resolve-secrets/],
  ])('refuses %s (resolved: %s)', (mode, resolved, message) => {
    expect(() => renderMwaa(settingsFor(mode, resolved))).toThrow(message);
  });
});

describe('quoting', () => {
  test('shell escapes single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(execFileSync('bash', ['-c', `printf %s ${shellQuote(`a'b"c$HOME\`x\`\\n`)}`]).toString()).toBe(`a'b"c$HOME\`x\`\\n`);
  });

  test.each(["it's", 'a\nb', 'a\\\\b', 'ends\\'])('dotenv refuses %p (compose and python-dotenv would differ)', (value) => {
    expect(() => dotenvQuote('X', value)).toThrow(/read differently; remove it from the value, or use --format shell, json or k8s/);
  });
});
