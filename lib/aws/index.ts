/** The AWS CDK constructs (`airflow-xcom-kit/aws`). */
export * from './xcom-storage';
export * from './access-policy';
export * from './identity';
export * from './binding';
export * from './permissions';
