/** POSIX shell `export` lines, single-quoted (a `'` inside becomes `'\''`): nothing is expanded. */
import { headerLines, placeholderComment } from '../comments';
import { AirflowSettings } from '../settings';
import { Format, Rendered } from './types';

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderShell(s: AirflowSettings): Rendered {
  const lines = headerLines(s).map((l) => `# ${l}`);
  for (const setting of s.settings) {
    const comment = placeholderComment(setting);
    if (comment) lines.push(`# ${comment}`);
    lines.push(`export ${setting.name}=${shellQuote(setting.value)}`);
  }
  return { main: lines.join('\n') + '\n', mainHasSecrets: s.settings.some((x) => x.kind === 'connection' && x.secret), notes: [] };
}

export const shellFormat: Format = { name: 'shell', summary: "export KEY='value' lines to source in a POSIX shell", render: renderShell };
