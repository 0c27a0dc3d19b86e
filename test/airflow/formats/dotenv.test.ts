/** dotenv: what is refused (and in which words), and what the rendered file says about secrets. */
import { AirflowSettingsError } from '../../../lib/airflow/errors';
import { dotenvQuote, renderDotenv } from '../../../lib/airflow/formats/dotenv';
import { renderShell } from '../../../lib/airflow/formats/shell';
import { buildSettings } from '../../../lib/airflow/settings';
import { load } from '../bindings';

function refusal(f: () => unknown): AirflowSettingsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AirflowSettingsError);
    return e as AirflowSettingsError;
  }
  throw new Error('expected an AirflowSettingsError');
}

test('a value docker compose and python-dotenv would read differently is refused, naming the variable, its origin and the fix', () => {
  const e = refusal(() => dotenvQuote('AIRFLOW_CONN_X', "it's", 'connection.extra of aws/dev'));
  expect(e.message).toBe(
    'dotenv: the value of AIRFLOW_CONN_X (from connection.extra of aws/dev) holds a single quote, a line break or a backslash sequence that docker compose and python-dotenv read differently; remove it from connection.extra of aws/dev, or use --format shell, json or k8s, which quote it safely',
  );
  expect(refusal(() => dotenvQuote('A', 'x\\')).problems).toEqual([
    'the value of A holds a single quote, a line break or a backslash sequence that docker compose and python-dotenv read differently; remove it from the value, or use --format shell, json or k8s, which quote it safely',
  ]);
});

test('dotenv and shell say the file holds secrets when one setting is a resolved credential, and add no notes', () => {
  const binding = load('aws-user');
  const secret = JSON.stringify({ conn_type: 'aws', login: 'AKIAEXAMPLE', password: 'secret-value' });
  const resolved = buildSettings(binding, { resolvedConnections: { [binding.connection.id]: secret } });
  expect(resolved.settings.some((s) => s.kind !== 'connection' || !s.secret)).toBe(true); // mixed: secret and plain settings
  const plain = buildSettings(load('aws-role'));
  for (const render of [renderDotenv, renderShell]) {
    expect(render(resolved).mainHasSecrets).toBe(true);
    expect(render(plain).mainHasSecrets).toBe(false);
    expect(render(resolved).notes).toEqual([]);
  }
});
