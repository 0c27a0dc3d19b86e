/** POSIX shell `export` lines, single-quoted (a `'` inside becomes `'\''`): nothing is expanded. */
import { commentedLines } from '../comments';
import { AirflowSettings, isSecretSetting } from '../settings';
import { Format, Rendered } from './types';

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderShell(s: AirflowSettings): Rendered {
  const main = commentedLines(s, (x) => `export ${x.name}=${shellQuote(x.value)}`);
  return { main, mainHasSecrets: s.settings.some(isSecretSetting), notes: [] };
}

export const shellFormat: Format = { name: 'shell', summary: "export KEY='value' lines to source in a POSIX shell", render: renderShell };
