/** The Azure CDK for Terraform constructs (`airflow-xcom-kit/azure`). */
export * from './blob-storage';
export * from './xcom-storage';
export * from './xcom-identity';
export * from './grants';
export * from './permissions';
export * from './abac';
