/**
 * Placeholders for values that exist only after deployment (a bucket name from a CloudFormation `Ref`,
 * a service-account e-mail from a Terraform interpolation). Rendered as `<deploy-time:WHAT>`, never as
 * an empty string, so a configuration produced from a synth cannot be mistaken for a deployable one.
 */

/** Characters allowed in the WHAT part: JSON-, shell-, YAML- and dotenv-safe inside quotes. */
const WHAT_UNSAFE = /[^A-Za-z0-9_.:\-[\]]/g;
export const PLACEHOLDER = /<deploy-time:[A-Za-z0-9_.:\-[\]]+>/g;

/** `<deploy-time:what>`, with characters outside the safe set replaced by `_`. */
export function placeholder(what: string): string {
  const safe = what.replace(WHAT_UNSAFE, '_');
  return `<deploy-time:${safe === '' ? 'value' : safe}>`;
}

/** Every distinct placeholder in `text`, in order of appearance. */
export function findPlaceholders(text: string): string[] {
  return [...new Set(text.match(PLACEHOLDER) ?? [])];
}

export function hasPlaceholder(text: string): boolean {
  return findPlaceholders(text).length > 0;
}
