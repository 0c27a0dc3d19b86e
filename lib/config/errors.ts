import type { z } from 'zod';

/** Every problem found in the environments file, reported at once. */
export class ConfigError extends Error {
  constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** `environments.prod.aws.region: "eu-west" is not valid: must be an AWS region such as eu-west-1` */
export function describeIssues(prefix: readonly (string | number)[], input: unknown, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))].join('.');
    if (issue.code === 'unrecognized_keys') {
      return `${path || '(top level)'}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: check the spelling against the README's configuration reference`;
    }
    const value = 'input' in issue && issue.input !== undefined ? issue.input : valueAt(input, issue.path);
    return `${path}: ${show(value)} is not valid: ${issue.message}`;
  });
}
