/** The Google Cloud CDK for Terraform constructs (`airflow-xcom-kit/gcp`). */
export * from './xcom-storage';
export * from './xcom-bucket';
export * from './xcom-identity';
export * from './grants';
export * from './permissions';
export * from './labels';
