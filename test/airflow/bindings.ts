import * as fs from 'node:fs';
import * as path from 'node:path';
import { AirflowBinding } from '../../lib/binding';

const DIR = path.join(__dirname, '../fixtures/bindings');

/** A fixture binding (fresh copy, safe to mutate). */
export function load(name: string): AirflowBinding {
  return JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
}

/** A fixture with changes applied to a deep copy. */
export function modified(name: string, change: (b: Record<string, any>) => void): Record<string, any> {
  const b = load(name) as unknown as Record<string, any>;
  change(b);
  return b;
}
