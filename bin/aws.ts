/**
 * CDK app: one stack per environment of config/environments.yaml.
 *   npx cdk synth -c env=prod            one environment
 *   npx cdk synth --all                  every environment with an `aws` section
 *   npx cdk synth -c config=other.yaml   another environments file
 * cdk-nag's AwsSolutions checks and aws-cdk-lib's template validation run on every synth.
 */
import { buildAwsApp, newAwsApp } from '../lib/aws/app';
import { CONFIG_ERROR_EXIT_CODE, ConfigError, DEFAULT_CONFIG_FILE, loadConfig, warnAboutSampleValues } from '../lib/config';

function main(): void {
  // Built-in template validation stays on here (the default); CDK context from cdk.json and -c wins.
  const app = newAwsApp();
  const env = app.node.tryGetContext('env') as string | undefined;
  const file = (app.node.tryGetContext('config') as string | undefined) ?? DEFAULT_CONFIG_FILE;
  const environment = env === undefined || env === '' ? undefined : String(env);
  try {
    const config = loadConfig(file);
    buildAwsApp(config, { app, environment });
    warnAboutSampleValues(config, environment ? [environment] : undefined);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw err;
  }
  app.synth();
}

main();
