import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ConfigError, defaultAwsConnectionsPrefix, selectEnvironment, type AwsSettings, type EnvironmentConfig, type KitConfig } from '../config';
import { AirflowXcomsStack, defaultStackName } from './aws-stack';

export interface BuildAwsAppOptions {
  /**
   * Environment to define a stack for; unknown names are a ConfigError listing the known ones.
   * @default - every environment that has an `aws` section
   */
  readonly environment?: string;
  /**
   * Run aws-cdk-lib's built-in CloudFormation template validation at synth (about 4 s per synth).
   * Unit tests switch it off; the real synth path (bin/aws.ts) keeps it on.
   * @default true
   */
  readonly templateValidation?: boolean;
  /**
   * Props of the App (context, outdir, ...); ignored when `app` is given.
   * @default - none
   */
  readonly appProps?: AppProps;
  /**
   * Define the stacks in this App instead of a new one (create it with {@link newAwsApp}).
   * @default - a new App with {@link AWS_FEATURE_FLAGS}
   */
  readonly app?: App;
}

export interface AwsApp {
  readonly app: App;
  /** The stacks defined, keyed by environment name. */
  readonly stacks: Readonly<Record<string, AirflowXcomsStack>>;
}

/**
 * Feature flags the stacks rely on (the same values as cdk.json, which only the CDK CLI reads), so
 * tests and other callers of {@link buildAwsApp} synthesize exactly what `cdk synth` does.
 */
export const AWS_FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:enableAdditionalMetadataCollection': false,
  // Access logs are delivered through a bucket-policy grant to logging.s3.amazonaws.com, which
  // works with ObjectOwnership BucketOwnerEnforced (the ACL-based LogDeliveryWrite does not).
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal': true,
  '@aws-cdk/aws-s3:keepNotificationInImportedBucket': true,
  // Fail the synth if a SecretValue would be rendered outside a secret-accepting property.
  '@aws-cdk/core:checkSecretUsage': true,
};

/** A new App with the kit's feature flags under the given context. */
export function newAwsApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...AWS_FEATURE_FLAGS, ...props.context } });
}

type AwsEnvironment = EnvironmentConfig & { aws: AwsSettings };

/**
 * The one way stacks are built (bin/aws.ts and the tests): selects the environments, checks what
 * spans environments, then defines one stack per environment with cdk-nag's AwsSolutions and NIST
 * 800-53 rev 5 checks (every finding fixed, or acknowledged on its own resource with the reason).
 * Every problem is thrown as one ConfigError before any stack exists, so a failure leaves no
 * partial app.
 */
export function buildAwsApp(config: KitConfig, options: BuildAwsAppOptions = {}): AwsApp {
  const selected = selectAwsEnvironments(config, options.environment);
  checkAcrossEnvironments(config.source, selected);

  const app =
    options.app ??
    newAwsApp({ ...options.appProps, builtinCloudFormationValidation: options.templateValidation ?? options.appProps?.builtinCloudFormationValidation ?? true });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));

  const stacks: Record<string, AirflowXcomsStack> = {};
  for (const [name, env] of selected) {
    stacks[name] = new AirflowXcomsStack(app, name, {
      stackName: env.aws.stackName ?? defaultStackName(name),
      env: { account: env.aws.account, region: env.aws.region },
      description: `Airflow XCom object storage on S3 (environment ${name})`,
      environment: name,
      config: env,
    });
  }
  return { app, stacks };
}

function selectAwsEnvironments(config: KitConfig, name: string | undefined): [string, AwsEnvironment][] {
  const all = Object.entries(config.environments);
  const withAws = all.filter((entry): entry is [string, AwsEnvironment] => entry[1].aws !== undefined);
  if (name === undefined) {
    if (withAws.length === 0) throw new ConfigError(config.source, ['no environment has an "aws" section: nothing to synthesize for AWS']);
    return withAws;
  }
  const [, env] = selectEnvironment(config, name);
  if (!env.aws) {
    throw new ConfigError(config.source, [
      `environment "${name}" has no "aws" section; environments with one: ${withAws.map(([n]) => n).join(', ') || '(none)'}`,
    ]);
  }
  return [[name, env as AwsEnvironment]];
}

/** Names that must be unique across the environments of one app. */
function checkAcrossEnvironments(source: string, envs: [string, AwsEnvironment][]): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (what: string, value: string, env: string) => {
    const key = `${what}\u0000${value}`;
    const other = seen.get(key);
    if (other !== undefined) problems.push(`environments.${env}.aws: ${what} "${value}" is also used by environment "${other}"; give each environment its own`);
    else seen.set(key, env);
  };
  for (const [name, env] of envs) {
    claim('stack name', env.aws.stackName ?? defaultStackName(name), name);
    if (env.aws.bucketName) claim('bucketName', env.aws.bucketName, name);
    if (env.aws.identity.mode === 'role' && env.aws.identity.roleName) claim('roleName', env.aws.identity.roleName, name);
    if (env.aws.identity.mode === 'user') {
      // Secrets Manager names are unique per account and region; an unset account is the deploy account.
      const prefix = env.aws.identity.connectionsPrefix ?? defaultAwsConnectionsPrefix(name);
      claim(`connection secret in ${env.aws.account ?? 'the deploy account'}/${env.aws.region}`, `${prefix}/${env.aws.connectionId}`, name);
    }
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
}
