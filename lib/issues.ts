/**
 * zod issues as sentences, for every document the kit validates (the environments file, the Airflow
 * binding, the price table): each names the field, the value and the fix, in the same words
 * whichever document it is in:
 *
 * - `environments.prod.aws.region: "eu-west" is not valid: must be an AWS region such as eu-west-1`
 * - `environments.dev.aws.region is required but missing: add it (expected string)`
 * - `defaults.aws: unknown field "regoin"; did you mean "region"? (see docs/configuration.md)`
 * - `connection.extra: the key "a b" is not valid: <rule>`
 *
 * Imports only lib/rules.ts (and zod's types), so the binding code and the config can both use it.
 */
import type { z } from 'zod';
import { invalidKeyProblem, nearest, showValue } from './rules';

export interface DescribeOptions {
  /** What the empty path is called in a sentence. @default 'the top level' */
  readonly top?: string;
  /** The document that lists the fields, named after an unknown-field hint. @default none */
  readonly docs?: string;
}

/** The sentence for a value that breaks a rule: `<field>: <value> is not valid: <fix>`. */
export function invalidValueProblem(field: string, value: unknown, fix: string): string {
  return `${field}: ${showValue(value)} is not valid: ${fix}`;
}

/** `; did you mean "<nearest>"?` when `value` is a near miss of one of `known`, else ''. */
export function didYouMean(value: unknown, known: readonly unknown[]): string {
  if (typeof value !== 'string') return '';
  const guess = nearest(value, known.filter((k): k is string => typeof k === 'string'));
  return guess !== undefined && guess !== value ? `; did you mean ${showValue(guess)}?` : '';
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
 * One sentence per zod issue (one per key for unknown keys), each naming the field (after `prefix`),
 * the value and the fix. With `schema` (the schema that was parsed), an unknown field gets the
 * nearest known one as a suggestion, or the list of known fields; a value outside an enum gets the
 * nearest allowed value.
 */
export function describeIssues(
  prefix: readonly (string | number)[],
  input: unknown,
  error: z.ZodError,
  schema?: unknown,
  options: DescribeOptions = {},
): string[] {
  const top = options.top ?? 'the top level';
  const see = options.docs ? ` (see ${options.docs})` : '';
  return error.issues.flatMap((issue): string[] => {
    const issuePath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const path = [...prefix, ...issuePath].join('.');
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? knownFields(schema, input, issuePath) : [];
      return issue.keys.map((k) => {
        const guess = nearest(k, known);
        const hint = guess ? `did you mean "${guess}"?` : known.length > 0 ? `known fields here: ${known.join(', ')}` : 'remove it or check the spelling';
        return `${path || top}: unknown field ${showValue(k)}; ${hint}${see}`;
      });
    }
    if (issue.code === 'invalid_key') {
      // A record key (an extra's name, an environment name): zod nests the key's own issues.
      return [invalidKeyProblem([...prefix, ...issuePath], issue.issues.map((i) => i.message), top)];
    }
    // A refinement's issue carries the refined object as its input, not the value at its path.
    const at = valueAt(input, issue.path);
    const value = issue.code !== 'custom' && 'input' in issue && issue.input !== undefined ? issue.input : at;
    const field = path || top;
    if (value === undefined) {
      if (issue.code === 'invalid_type') return [`${field} is required but missing: add it (expected ${issue.expected})`];
      if (issue.code === 'invalid_value') return [`${field} is required but missing: add it (one of ${issue.values.map((v) => showValue(v)).join(', ')})`];
      return [issue.message.startsWith('is ') ? `${field} ${issue.message}` : `${field} is missing: ${issue.message}`];
    }
    const suggestion = issue.code === 'invalid_value' ? didYouMean(value, issue.values) : '';
    return [invalidValueProblem(field, value, issue.message + suggestion)];
  });
}
