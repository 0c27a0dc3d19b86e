/** Pure functions from the Airflow binding to Airflow settings; no I/O here. */
export * from './errors';
export * from './names';
export * from './placeholder';
export * from './validate';
export * from './settings';
export * from './requirements';
export * from './formats';
