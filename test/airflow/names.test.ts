import fc from 'fast-check';
import { airflowEnvVar, connectionEnvVar } from '../../lib/airflow/names';

// Airflow's rules, written out here rather than imported: a loosened production pattern must fail these tests.
const CONFIG_ENV_VAR_RULE = /^AIRFLOW__[A-Z0-9_]+__[A-Z0-9_]+$/;
const CONN_ENV_VAR_RULE = /^AIRFLOW_CONN_[A-Z0-9_]+$/;

describe('airflowEnvVar', () => {
  test.each([
    ['core', 'xcom_backend', 'AIRFLOW__CORE__XCOM_BACKEND'],
    ['common.io', 'xcom_objectstorage_path', 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH'],
    ['common.io', 'xcom_objectstorage_threshold', 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD'],
    ['common.io', 'xcom_objectstorage_compression', 'AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION'],
    ['secrets', 'backend_kwargs', 'AIRFLOW__SECRETS__BACKEND_KWARGS'],
    ['xcomkit', 'mirrors', 'AIRFLOW__XCOMKIT__MIRRORS'],
  ])('[%s] %s is %s', (section, key, name) => {
    expect(airflowEnvVar(section, key)).toBe(name);
  });

  test('refuses sections and keys Airflow could not map', () => {
    expect(() => airflowEnvVar('core ', 'x')).toThrow(/invalid Airflow config option/);
    expect(() => airflowEnvVar('core', 'xcom-backend')).toThrow(/invalid Airflow config option/);
  });

  test('every name built from a valid section and key matches the rule', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), word, (parts, key) => {
        const name = airflowEnvVar(parts.join('.'), key);
        expect(name).toBe(`AIRFLOW__${parts.join('_').toUpperCase()}__${key.toUpperCase()}`);
        expect(name).toMatch(CONFIG_ENV_VAR_RULE);
      }),
    );
  });
});

describe('connectionEnvVar', () => {
  test('upper-cases the connection id', () => {
    expect(connectionEnvVar('aws_xcoms')).toBe('AIRFLOW_CONN_AWS_XCOMS');
  });

  test('every connection id the kit accepts gives a valid name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,30}$/), (id) => {
        expect(connectionEnvVar(id)).toBe(`AIRFLOW_CONN_${id.toUpperCase()}`);
        expect(connectionEnvVar(id)).toMatch(CONN_ENV_VAR_RULE);
      }),
    );
  });

  test('refuses an id that is not a shell-safe name', () => {
    for (const id of ['my-conn', 'a b', 'x;y', '', 'a.b', 'conn$']) expect(() => connectionEnvVar(id)).toThrow(/Airflow would ignore/);
  });
});
