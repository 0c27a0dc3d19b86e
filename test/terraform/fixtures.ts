/** Shared fixtures for the CDKTF tests: environments built through the real schema and loader. */
// Types of the cdktf jest matchers (registered at runtime by test/setup.ts).
import 'cdktf/lib/testing/adapters/jest';
import { Testing, TerraformStack } from 'cdktf';
import { AzureXcomStack } from '../../lib/apps/azure-stack';
import { loadConfig, parseConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { GcpXcomStack } from '../../lib/apps/gcp-stack';

export const GCP_BASE = {
  project: 'acme-data-prod',
  location: 'europe-west1',
  identity: { mode: 'workload-identity', kubernetes: [{ namespace: 'airflow', serviceAccount: 'airflow-worker' }] },
};

export const AZURE_BASE = {
  location: 'westeurope',
  resourceGroup: { name: 'rg-airflow' },
  storageAccountName: 'acmexcoms01',
  identity: {
    mode: 'workload-identity',
    aks: {
      oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/11111111-1111-1111-1111-111111111111/22222222-2222-2222-2222-222222222222/',
      serviceAccounts: [{ namespace: 'airflow', serviceAccount: 'airflow-worker' }],
    },
  },
};

/** One validated environment from raw (pre-default) input. */
export function environment(raw: Record<string, unknown>, name = 'test'): EnvironmentConfig {
  return parseConfig({ environments: { [name]: raw } }).environments[name];
}

/** The shipped environments file. */
export function shippedConfig() {
  return loadConfig('config/environments.yaml');
}

export interface Synthesized {
  readonly stack: TerraformStack;
  /** The synthesized stack as a string (for the cdktf matchers). */
  readonly text: string;
  /** The synthesized stack, parsed. */
  readonly json: any;
}

function synth(stack: TerraformStack): Synthesized {
  const text = Testing.synth(stack);
  return { stack, text, json: JSON.parse(text) };
}

export function synthGcp(raw: Record<string, unknown>, name = 'test'): Synthesized & { stack: GcpXcomStack } {
  const stack = new GcpXcomStack(Testing.app(), { environment: name, config: environment(raw, name) });
  return synth(stack) as Synthesized & { stack: GcpXcomStack };
}

export function synthAzure(raw: Record<string, unknown>, name = 'test'): Synthesized & { stack: AzureXcomStack } {
  const stack = new AzureXcomStack(Testing.app(), { environment: name, config: environment(raw, name) });
  return synth(stack) as Synthesized & { stack: AzureXcomStack };
}

/** Every resource of a type, as `[logicalId, body]`. */
export function resources(json: any, type: string): [string, any][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The single resource of a type. */
export function only(json: any, type: string): any {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0][1];
}
