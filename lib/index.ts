/**
 * `airflow-xcom-kit`: the cloud-neutral part (no CDK or CDKTF is loaded from here). The constructs
 * are in `airflow-xcom-kit/aws` (AWS CDK), `airflow-xcom-kit/gcp` and `airflow-xcom-kit/azure`
 * (CDK for Terraform); the binding type alone in `airflow-xcom-kit/binding`.
 */
export * from './binding';
export { buildSettings, BACKENDS, type Backend } from './airflow/settings';
export { validateBinding } from './airflow/validate';
export { FORMAT_NAMES, formatByName } from './airflow/formats';
export { loadConfig, parseConfig, ConfigError, type KitConfig } from './config';
