/**
 * Values the shipped environments file holds as examples. They synthesize (so the kit works out of
 * the box), but deploying them fails or, worse, trusts someone else's account: synth warns about each
 * one left in, and goes on.
 */
import type { KitConfig } from './load';

interface Sample {
  readonly pattern: RegExp;
  readonly what: string;
}

const SAMPLES: Readonly<Record<'aws' | 'gcp' | 'azure', readonly Sample[]>> = {
  aws: [{ pattern: /(^|[^0-9])123456789012([^0-9]|$)/, what: 'the sample AWS account 123456789012' }],
  gcp: [{ pattern: /(^|[^a-z0-9-])my-airflow-project([^a-z0-9-]|$)/, what: 'the sample GCP project my-airflow-project' }],
  azure: [
    { pattern: /00000000-0000-0000-0000-000000000000/, what: 'the all-zero sample id (OIDC issuer, tenant or subscription)' },
    { pattern: /^airflowxcoms(00000|dev0|stg0|prd0)$/, what: 'a storage account name of the shipped file (names are globally unique: someone else may own it)' },
  ],
};

function leaves(value: unknown, path: string[], out: Array<[string, string]>): Array<[string, string]> {
  if (typeof value === 'string') out.push([path.join('.'), value]);
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, String(i)], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  return out;
}

/** One warning per sample value left in the selected environments (all when none is named). */
export function sampleValueWarnings(config: KitConfig, environments?: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const [env, settings] of Object.entries(config.environments)) {
    if (environments && !environments.includes(env)) continue;
    for (const cloud of ['aws', 'gcp', 'azure'] as const) {
      for (const [field, value] of leaves(settings[cloud], ['environments', env, cloud], [])) {
        const sample = SAMPLES[cloud].find((s) => s.pattern.test(value));
        if (sample) warnings.push(`${field} is ${JSON.stringify(value)}, ${sample.what}: replace it in ${config.source} before deploying`);
      }
    }
  }
  return warnings;
}

/** Prints the warnings on stderr (synth goes on). */
export function warnAboutSampleValues(config: KitConfig, environments?: readonly string[], write: (text: string) => void = (t) => process.stderr.write(t)): void {
  for (const w of sampleValueWarnings(config, environments)) write(`warning: ${w}\n`);
}
