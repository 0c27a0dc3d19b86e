/**
 * Jest setup for scripts/mutation/permission-drops.sh: removes one element of one permission list
 * before the test file loads the constructs (`XCOMKIT_DROP=<module>:<list>:<index>`, module relative
 * to the repository root). StrykerJS does not mutate `as const` arrays, so this is their mutation run:
 * every dropped element must make a policy test fail.
 */
import * as path from 'node:path';

const drop = process.env.XCOMKIT_DROP;
if (drop) {
  const [module, list, index] = drop.split(':');
  const lists = require(path.resolve(__dirname, '../..', module)) as Record<string, unknown>;
  const target = lists[list];
  if (!Array.isArray(target) || Number(index) >= target.length) throw new Error(`XCOMKIT_DROP=${drop}: no such list element`);
  target.splice(Number(index), 1);
}
