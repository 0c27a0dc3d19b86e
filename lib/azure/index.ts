/** The Azure CDK for Terraform constructs (`airflow-xcom-kit/azure`). */
export * from './xcom-storage';
export * from './xcom-identity';
export * from './permissions';
export * from './abac';
