import fc from 'fast-check';
import { airflowEnvVar, CONFIG_ENV_VAR, connectionEnvVar, CONN_ENV_VAR } from '../../lib/airflow/names';
import { CONNECTION_ID } from '../../lib/config/common';

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
        expect(airflowEnvVar(parts.join('.'), key)).toMatch(CONFIG_ENV_VAR);
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
      fc.property(fc.stringMatching(CONNECTION_ID), (id) => {
        expect(connectionEnvVar(id)).toMatch(CONN_ENV_VAR);
      }),
    );
  });

  test('refuses an id that is not a shell-safe name', () => {
    expect(() => connectionEnvVar('my-conn')).toThrow(/Airflow would ignore/);
  });
});
