import { dotenvFormat } from './dotenv';
import { helmFormat } from './helm';
import { jsonFormat } from './json';
import { kubernetesFormat } from './kubernetes';
import { mwaaFormat } from './mwaa';
import { shellFormat } from './shell';
import { Format } from './types';

export * from './types';
export const FORMATS: readonly Format[] = [dotenvFormat, shellFormat, jsonFormat, kubernetesFormat, helmFormat, mwaaFormat];
export const FORMAT_NAMES = FORMATS.map((f) => f.name);
export function formatByName(name: string): Format | undefined {
  return FORMATS.find((f) => f.name === name);
}
