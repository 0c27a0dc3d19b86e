import type { z } from 'zod';
import { invalidKeyProblem, nearest, showValue } from '../rules';

/** The exit code both synth apps (CDK and CDKTF) use for a configuration they cannot build. */
export const CONFIG_ERROR_EXIT_CODE = 1;

/** Every problem found in the environments file (or in choosing from it), reported at once. */
export class ConfigError extends Error {
  constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
    /** What went wrong, before the file name. @default 'Invalid configuration in' */
    heading = 'Invalid configuration in',
  ) {
    super(`${heading} ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** zod 4 schema internals, read only to list the fields an object accepts (for "did you mean"). */
interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
  discriminator?: string;
  valueType?: unknown;
  element?: unknown;
}
const defOf = (schema: unknown): SchemaDef => ((schema as { _zod?: { def?: SchemaDef } })?._zod?.def ?? {}) as SchemaDef;

function unwrap(schema: unknown, value: unknown): unknown {
  for (let i = 0; i < 20; i++) {
    const def = defOf(schema);
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(def.type ?? '')) schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else if (def.type === 'union' && def.options) {
      // A discriminated union: the option whose discriminator matches the value, else the first object.
      const disc = def.discriminator;
      const tag = disc && value && typeof value === 'object' ? (value as Record<string, unknown>)[disc] : undefined;
      const match = def.options.find((o) => {
        const lit = defOf(unwrap(defOf(o).shape?.[disc ?? ''], undefined)) as { values?: unknown[] };
        return tag !== undefined && lit.values?.includes(tag);
      });
      schema = match ?? def.options[0];
    } else return schema;
  }
  return schema;
}

/** The field names the schema accepts at `path` of `input`, when that is an object. */
export function knownFields(schema: unknown, input: unknown, path: readonly PropertyKey[]): string[] {
  let node = unwrap(schema, input);
  let value = input;
  for (const key of path) {
    const def = defOf(node);
    value = valueAt(value, [key]);
    if (def.type === 'object' && def.shape) node = def.shape[String(key)];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else return [];
    node = unwrap(node, value);
  }
  const def = defOf(node);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/**
 * One sentence per zod issue, naming the field (with `prefix`), the value and the fix:
 * `environments.prod.aws.region: "eu-west" is not valid: must be an AWS region such as eu-west-1`.
 * With `schema`, an unknown field gets the nearest known one as a suggestion.
 */
export function describeIssues(prefix: readonly (string | number)[], input: unknown, error: z.ZodError, schema?: unknown): string[] {
  return error.issues.flatMap((issue): string[] => {
    const issuePath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const path = [...prefix, ...issuePath].join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? knownFields(schema, input, issuePath) : [];
      const where = path || 'the top level';
      return issue.keys.map((k) => {
          const guess = nearest(k, known);
          const hint = guess ? `did you mean "${guess}"?` : known.length > 0 ? `known fields here: ${known.join(', ')}` : 'check the spelling';
        return `${where}: unknown field ${showValue(k)}; ${hint} (see docs/configuration.md)`;
      });
    }
    if (issue.code === 'invalid_key') {
      // A record key (an extra's name, an environment name): zod nests the key's own issues.
      return [invalidKeyProblem([...prefix, ...issuePath], issue.issues.map((i) => i.message), 'the top level')];
    }
    const value = 'input' in issue && issue.input !== undefined ? issue.input : valueAt(input, issue.path);
    if (value === undefined && issue.code === 'invalid_type') return [`${path} is required but missing: add it (expected ${issue.expected})`];
    if (value === undefined) return [issue.message.startsWith('is ') ? `${path} ${issue.message}` : `${path} is missing: ${issue.message}`];
    return [`${path}: ${showValue(value)} is not valid: ${issue.message}`];
  });
}
