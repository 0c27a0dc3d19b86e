/**
 * Install size of the package for a consumer, each way, in one run:
 *   npx tsx scripts/bench-install.ts
 * `npm pack`, then the tarball installed into fresh apps (dependencies from the local npm cache,
 * pinned to this clone's versions): AWS only (the CDKTF peers are optional and left out), GCP only,
 * and AWS with every optional peer, which is what an AWS user got when the Terraform provider
 * bindings were hard dependencies. Prints node_modules sizes (apparent bytes) and the ratio.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { directoryBytes, freshApp, installedVersion, packKit } from '../test/package/consumer';

const pin = (...names: string[]) => Object.fromEntries(names.map((n) => [n, installedVersion(n)]));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-bench-install-'));
const tarball = packKit(work);
const ways: [string, Record<string, string>][] = [
  ['AWS only: aws-cdk-lib, constructs, cdk-nag', pin('aws-cdk-lib', 'constructs', 'cdk-nag')],
  ['GCP only: cdktf, constructs, @cdktf/provider-google', pin('cdktf', 'constructs', '@cdktf/provider-google')],
  ['AWS plus every CDKTF peer (as before)', pin('aws-cdk-lib', 'constructs', 'cdk-nag', 'cdktf', '@cdktf/provider-google', '@cdktf/provider-azurerm')],
];
const sizes: number[] = [];
for (const [name, deps] of ways) {
  const app = freshApp('bench-install', tarball, deps, {});
  const bytes = directoryBytes(path.join(app, 'node_modules'));
  sizes.push(bytes);
  process.stdout.write(`${name.padEnd(55)} ${(bytes / 1e6).toFixed(0)} MB\n`);
  fs.rmSync(app, { recursive: true, force: true });
}
process.stdout.write(`AWS only vs AWS with the provider bindings: ${(sizes[2] / sizes[0]).toFixed(2)}x smaller\n`);
fs.rmSync(work, { recursive: true, force: true });
