/**
 * The TypeScript twin of app.py, construct for construct, on lib/aws (what `airflow-xcom-kit/aws`
 * ships): jsii-package.integration.test.ts requires the two apps' templates to be equal.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AirflowXcomStorage, XcomRoleIdentity, XcomUserIdentity } from '../../lib/aws';

export const ACCOUNT = '123456789012';
export const MWAA_ROLE = `arn:aws:iam::${ACCOUNT}:role/mwaa-execution-role`;
export const OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123456789`;

export function buildApp(outdir: string): App {
  const app = new App({ outdir, analyticsReporting: false });
  const env = { account: ACCOUNT, region: 'eu-west-1' };

  const stack = new Stack(app, 'AirflowPlatform', { env });
  const xcoms = new AirflowXcomStorage(stack, 'Xcoms', {
    prefix: 'xcom',
    expiration: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
    createEncryptionKey: true,
    compression: 'zstd',
  });
  xcoms.grantReadWrite(iam.Role.fromRoleArn(stack, 'Mwaa', MWAA_ROLE));
  xcoms.addBindingOutput();

  const identities = new Stack(app, 'AirflowIdentities', { env });
  const roleStorage = new AirflowXcomStorage(identities, 'RoleXcoms', { prefix: 'airflow/xcom', threshold: 0, compression: 'none' });
  new XcomRoleIdentity(identities, 'Role', {
    storage: roleStorage,
    trustedPrincipalArns: [MWAA_ROLE],
    externalId: 'airflow-external-id',
    eksServiceAccounts: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'airflow-worker' }],
    maxSessionDuration: Duration.hours(2),
  });
  roleStorage.addBindingOutput({ suffix: 'Role' });
  const userStorage = new AirflowXcomStorage(identities, 'UserXcoms', { serverAccessLogs: false, environment: 'dev' });
  new XcomUserIdentity(identities, 'User', { storage: userStorage, userName: 'airflow-dev', connectionsPrefix: 'airflow/dev/connections' });
  userStorage.addBindingOutput({ suffix: 'User' });

  app.synth();
  return app;
}
