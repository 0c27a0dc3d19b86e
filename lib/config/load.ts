import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ENVIRONMENT_NAME, ENVIRONMENT_NAME_RULE, nearest, showValue } from '../rules';
import { ConfigError, describeIssues } from './errors';
import { EnvironmentConfig, environmentSchema, environmentsFileSchema } from './schema';

/** The file users edit, relative to the repository root. */
export const DEFAULT_CONFIG_FILE = path.join('config', 'environments.yaml');

export interface KitConfig {
  readonly source: string;
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from `override` replace those of `base`. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Unknown fields of the environments file point at its field reference. */
const CONFIG_ISSUES = { docs: 'docs/configuration.md' } as const;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key as string];
  }
  return node;
}

/**
 * Validates an already-parsed environments document. Throws one ConfigError listing every problem,
 * each naming the field (under `defaults.` when the bad value comes from there, once), the bad value
 * and what is allowed. A bad environment name is one problem among the others, not a stop.
 */
export function parseConfig(document: unknown, source = DEFAULT_CONFIG_FILE): KitConfig {
  const file = environmentsFileSchema.safeParse(document, { reportInput: true });
  if (!file.success) throw new ConfigError(source, describeIssues([], document, file.error, environmentsFileSchema, CONFIG_ISSUES));
  const problems = new Set<string>();
  const environments: Record<string, EnvironmentConfig> = {};
  const defaults = file.data.defaults ?? {};
  for (const [name, raw] of Object.entries(file.data.environments)) {
    if (!ENVIRONMENT_NAME.test(name)) {
      const lower = name.toLowerCase();
      problems.add(
        `environments.${name}: ${showValue(name)} is not a valid environment name: it ${ENVIRONMENT_NAME_RULE}` +
          (ENVIRONMENT_NAME.test(lower) ? ` (write "${lower}")` : ''),
      );
    }
    // A `defaults` section merged under an environment that sets a different identity mode would mix
    // fields of two modes; the mode's own fields must then come from the environment alone.
    const merged = mergeDefaults(defaults, raw ?? {});
    const result = environmentSchema.safeParse(merged, { reportInput: true });
    if (result.success) {
      if (ENVIRONMENT_NAME.test(name)) environments[name] = result.data;
      continue;
    }
    // A value only the defaults set is reported once, at defaults.<path>, not once per environment.
    const fromDefaults = (path: readonly PropertyKey[]) => valueAt(raw, path) === undefined && valueAt(defaults, path) !== undefined;
    for (const issue of result.error.issues) {
      const split = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => ({ issue: { ...issue, keys: [k] }, at: [...issue.path, k] })) : [{ issue, at: issue.path }];
      for (const part of split) {
        const prefix = fromDefaults(part.at) ? ['defaults'] : ['environments', name];
        const error = { issues: [part.issue] } as unknown as z.ZodError;
        for (const text of describeIssues(prefix, merged, error, environmentSchema, CONFIG_ISSUES)) problems.add(text);
      }
    }
  }
  if (problems.size > 0) throw new ConfigError(source, [...problems]);
  return { source, environments };
}

function mergeDefaults(defaults: Record<string, unknown>, env: unknown): unknown {
  const merged = deepMerge(defaults, env);
  if (!isPlainObject(merged) || !isPlainObject(env)) return merged;
  // Discriminated sections (identity, encryption, state): when the environment switches the
  // discriminator, take its section whole instead of merging fields of the other variant into it.
  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    const envCloud = env[cloud];
    const defCloud = defaults[cloud];
    const mergedCloud = merged[cloud];
    if (!isPlainObject(envCloud) || !isPlainObject(defCloud) || !isPlainObject(mergedCloud)) continue;
    for (const [section, key] of [['identity', 'mode'], ['encryption', 'type'], ['state', 'type']] as const) {
      const e = envCloud[section];
      const d = defCloud[section];
      if (isPlainObject(e) && isPlainObject(d) && e[key] !== undefined && e[key] !== d[key]) mergedCloud[section] = e;
    }
  }
  return merged;
}

/** Reads and validates the environments file (YAML or JSON). */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE): KitConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file (${(err as Error).message}); create it from config/environments.yaml in the repository (see docs/configuration.md)`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [`is not valid YAML: ${(err as Error).message}`]);
  }
  return parseConfig(document, file);
}

/** Picks one environment, or explains which names exist. */
export function selectEnvironment(config: KitConfig, name: string | undefined): [string, EnvironmentConfig] {
  const known = Object.keys(config.environments);
  if (!name) {
    throw new ConfigError(config.source, [`no environment selected: pass one of ${known.join(', ')} (for example -c env=${known[0]})`], 'No environment chosen from');
  }
  const env = config.environments[name];
  if (!env) {
    const guess = nearest(name, known);
    throw new ConfigError(
      config.source,
      [`unknown environment ${showValue(name)}: known environments are ${known.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`],
      'Unknown environment for',
    );
  }
  return [name, env];
}
