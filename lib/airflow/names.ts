/**
 * Airflow environment variable names. Airflow silently ignores a misspelt variable, so every name the
 * kit prints is built here and checked against the rule before it leaves this module.
 */

/** `AIRFLOW__{SECTION}__{KEY}`: what Airflow's config parser reads for a section/key pair. */
export const CONFIG_ENV_VAR = /^AIRFLOW__[A-Z0-9_]+__[A-Z0-9_]+$/;
/** `AIRFLOW_CONN_{CONN_ID}`: a connection defined in the environment. */
export const CONN_ENV_VAR = /^AIRFLOW_CONN_[A-Z0-9_]+$/;

/** True when `name` is a variable Airflow reads (a config option or a connection). */
export function isAirflowEnvVar(name: string): boolean {
  return CONFIG_ENV_VAR.test(name) || CONN_ENV_VAR.test(name);
}

function assertName(name: string, what: string): string {
  if (!isAirflowEnvVar(name)) throw new Error(`internal error: ${what} produced "${name}", which Airflow would ignore`);
  return name;
}

/**
 * The environment variable of config option `[section] key`: `AIRFLOW__{SECTION with "." -> "_",
 * upper}__{KEY upper}` (Airflow's `AirflowConfigParser._env_var_name`). The only place such names are built.
 */
export function airflowEnvVar(section: string, key: string): string {
  if (!/^[a-z0-9_.]+$/i.test(section) || !/^[a-z0-9_]+$/i.test(key)) {
    throw new Error(`internal error: invalid Airflow config option [${section}] ${key}`);
  }
  return assertName(`AIRFLOW__${section.replace(/\./g, '_').toUpperCase()}__${key.toUpperCase()}`, `[${section}] ${key}`);
}

/** The environment variable of connection `connId`: `AIRFLOW_CONN_{CONN_ID upper}`. */
export function connectionEnvVar(connId: string): string {
  return assertName(`AIRFLOW_CONN_${connId.toUpperCase()}`, `connection "${connId}"`);
}
