/** A flat JSON object of environment variables (JSON has no comments: placeholders are warned on stderr). */
import { AirflowSettings, isSecretSetting } from '../settings';
import { Format, Rendered } from './types';

export function renderJson(s: AirflowSettings): Rendered {
  const env = Object.fromEntries(s.settings.map((x) => [x.name, x.value]));
  return { main: JSON.stringify(env, null, 2) + '\n', mainHasSecrets: s.settings.some(isSecretSetting), notes: [] };
}

export const jsonFormat: Format = { name: 'json', summary: 'a JSON object of environment variables', render: renderJson };
