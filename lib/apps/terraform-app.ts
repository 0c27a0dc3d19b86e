/**
 * The CDKTF app for Google Cloud and Azure: one stack per cloud section of each selected environment
 * (`gcp-<env>`, `azure-<env>`), all from the same environments file as the AWS app.
 */
import type { App, TerraformStack } from 'cdktf';
import { AzureXcomStack } from './azure-stack';
import { ConfigError } from '../config/errors';
import { selectEnvironment, type KitConfig } from '../config/load';
import { GcpXcomStack, defaultGcsBucketName } from './gcp-stack';

/**
 * The environments to synthesize: the named one, or every environment when `name` is empty.
 * Unknown names are a ConfigError listing the known ones.
 */
export function selectEnvironments(config: KitConfig, name: string | undefined): string[] {
  if (!name) return Object.keys(config.environments);
  return [selectEnvironment(config, name)[0]];
}

/** Names that must be unique across all environments (global namespaces), checked before any stack is built. */
function checkGlobalNames(config: KitConfig): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const claim = (kind: string, value: string, where: string) => {
    const key = `${kind}:${value}`;
    const first = seen.get(key);
    if (first) problems.push(`${where}: "${value}" is already used by ${first}; ${kind} names are globally unique, give each environment its own`);
    else seen.set(key, where);
  };
  for (const [env, e] of Object.entries(config.environments)) {
    if (e.gcp) claim('GCS bucket', e.gcp.bucketName ?? defaultGcsBucketName(e.gcp.project, env), `environments.${env}.gcp.bucketName`);
    if (e.azure) {
      claim('storage account', e.azure.storageAccountName, `environments.${env}.azure.storageAccountName`);
      if (e.azure.identity.mode === 'key') claim('Key Vault', e.azure.identity.keyVaultName.toLowerCase(), `environments.${env}.azure.identity.keyVaultName`);
    }
  }
  if (problems.length > 0) throw new ConfigError(config.source, problems);
}

/** Adds the GCP and Azure stacks of the selected environments to `app`. */
export function buildTerraformApp(app: App, config: KitConfig, environment?: string): TerraformStack[] {
  checkGlobalNames(config);
  const stacks: TerraformStack[] = [];
  for (const env of selectEnvironments(config, environment)) {
    const envConfig = config.environments[env];
    if (envConfig.gcp) stacks.push(new GcpXcomStack(app, { environment: env, config: envConfig }));
    if (envConfig.azure) stacks.push(new AzureXcomStack(app, { environment: env, config: envConfig }));
  }
  return stacks;
}
