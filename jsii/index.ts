/**
 * The jsii package `airflow-xcom-kit-aws`: the AWS constructs of `airflow-xcom-kit/aws` for every
 * jsii language (Python: `airflow_xcom_kit_aws`). src/ is a copy of lib/aws/ (and the two zod-free
 * modules it imports) that scripts/jsii.sh makes before compiling; this file names the public API.
 */
export { AirflowXcomStorage, type AirflowXcomStorageProps, type BindingOutputOptions, type UseIdentityOptions } from './src/aws/xcom-storage';
export { XcomAccessPolicy, type XcomAccessPolicyProps } from './src/aws/access-policy';
export { XcomRoleIdentity, XcomUserIdentity, type EksServiceAccount, type XcomRoleIdentityProps, type XcomUserIdentityProps } from './src/aws/identity';
export { XcomPermissions } from './src/aws/permissions';
export {
  XcomIdentityMode,
  type AwsXcomBinding,
  type XcomBindingConnection,
  type XcomBindingIdentity,
  type XcomBindingSettings,
  type XcomBindingStorage,
  type XcomKubernetesServiceAccount,
  type XcomSecretRef,
} from './src/aws/binding';
