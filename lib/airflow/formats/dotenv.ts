/**
 * dotenv for Astro (`.env`) and docker compose (`env_file`). Values are single-quoted: docker compose
 * (compose-go) takes single-quoted values literally, python-dotenv only unescapes `\\` and `\'` in
 * them. A value without `'`, newlines, `\\` and a trailing `\` therefore reads the same in both, JSON
 * double quotes included; anything else is refused rather than silently read two ways.
 */
import { commentedLines } from '../comments';
import { AirflowSettingsError } from '../errors';
import { AirflowSettings, isSecretSetting } from '../settings';
import { Format, Rendered } from './types';

export function dotenvQuote(name: string, value: string, origin?: string): string {
  if (/['\n\r]/.test(value) || value.includes('\\\\') || value.endsWith('\\')) {
    throw new AirflowSettingsError('dotenv', [
      `the value of ${name}${origin ? ` (from ${origin})` : ''} holds a single quote, a line break or a backslash sequence that docker compose and python-dotenv read differently; ` +
        `remove it from ${origin ?? 'the value'}, or use --format shell, json or k8s, which quote it safely`,
    ]);
  }
  return `'${value}'`;
}

export function renderDotenv(s: AirflowSettings): Rendered {
  const main = commentedLines(s, (x) => `${x.name}=${dotenvQuote(x.name, x.value, x.origin)}`);
  return { main, mainHasSecrets: s.settings.some(isSecretSetting), notes: [] };
}

export const dotenvFormat: Format = { name: 'dotenv', summary: 'KEY=\'value\' lines for Astro .env and docker compose env_file', render: renderDotenv };
