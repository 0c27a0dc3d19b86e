/**
 * CDK app: one stack per environment of config/environments.yaml.
 *   npx cdk synth -c env=prod            one environment
 *   npx cdk synth --all                  every environment with an `aws` section
 *   npx cdk synth -c config=other.yaml   another environments file
 * cdk-nag's AwsSolutions checks and aws-cdk-lib's template validation run on every synth.
 */
import { buildAwsApp, newAwsApp } from '../lib/apps/aws-app';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config';

function main(): void {
  // Built-in template validation stays on here (the default); CDK context from cdk.json and -c wins.
  const app = newAwsApp();
  const env = app.node.tryGetContext('env') as string | undefined;
  const file = (app.node.tryGetContext('config') as string | undefined) ?? DEFAULT_CONFIG_FILE;
  try {
    buildAwsApp(loadConfig(file), { app, environment: env === undefined || env === '' ? undefined : String(env) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  app.synth();
}

main();
