/**
 * GCP labels from the kit's tags. Label keys: 1-63 characters, lower-case letters, digits, "_" and "-",
 * starting with a lower-case letter; values: 0-63 characters of the same set.
 */

function sanitize(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

/** Lower-cases and sanitizes tags into labels; throws when two tags collapse onto one label key. */
export function labelsFromTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    let labelKey = sanitize(key);
    if (!/^[a-z]/.test(labelKey)) labelKey = `t${labelKey}`.slice(0, 63);
    if (labelKey in labels) {
      throw new Error(`tags "${origin[labelKey]}" and "${key}" both become the GCP label key "${labelKey}": rename one of them`);
    }
    labels[labelKey] = sanitize(value);
    origin[labelKey] = key;
  }
  return labels;
}
