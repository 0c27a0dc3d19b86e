/**
 * What lets scripts/jsii.sh compile lib/aws as the jsii package without zod: the constructs import
 * only each other, lib/rules.ts, lib/binding-core.ts, aws-cdk-lib and constructs; jsii/index.ts
 * exports every class and enum of lib/aws; the two package.json files agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aws from '../../lib/aws';

const ROOT = path.resolve(__dirname, '../..');
const AWS = path.join(ROOT, 'lib', 'aws');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

test.each(fs.readdirSync(AWS).filter((f) => f.endsWith('.ts')))('lib/aws/%s imports nothing the jsii package lacks', (file) => {
  const specifiers = [...fs.readFileSync(path.join(AWS, file), 'utf8').matchAll(/(?:from|import|require\()\s*'([^']+)'/g)].map((m) => m[1]);
  for (const s of specifiers) expect(s).toMatch(/^(\.\/[\w-]+|\.\.\/rules|\.\.\/binding-core|aws-cdk-lib(\/[\w-]+)?|constructs)$/);
});

test('lib/rules.ts and lib/binding-core.ts import nothing', () => {
  for (const file of ['lib/rules.ts', 'lib/binding-core.ts']) expect(read(file)).not.toMatch(/^import /m);
});

test('jsii/index.ts exports every class and enum of airflow-xcom-kit/aws', () => {
  const entry = read('jsii/index.ts');
  const exported = new Set([...entry.matchAll(/\b([A-Z]\w+)\b/g)].map((m) => m[1]));
  const isClass = (v: unknown) => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
  const isEnum = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string') && Object.keys(v).every((k) => /^[A-Z_]+$/.test(k));
  const names = Object.entries(aws).filter(([name, v]) => isClass(v) || (isEnum(v) && !/_ACTIONS$/.test(name))).map(([name]) => name);
  expect(names).toEqual(expect.arrayContaining(['AirflowXcomStorage', 'XcomPermissions', 'XcomIdentityMode']));
  for (const name of names) expect(exported).toContain(name);
});

test('the jsii package has the kit\'s version and a peer range that admits both aws-cdk-lib versions in use', () => {
  const kit = JSON.parse(read('package.json'));
  const pkg = JSON.parse(read('jsii/package.json'));
  expect(pkg.version).toBe(kit.version);
  expect(pkg.license).toBe(kit.license);
  const floor = /^\^2\.(\d+)\.0$/.exec(pkg.peerDependencies['aws-cdk-lib']);
  expect(floor).not.toBeNull();
  const minor = (version: string) => Number(/^2\.(\d+)\.\d+$/.exec(version)![1]);
  expect(minor(kit.devDependencies['aws-cdk-lib'])).toBeGreaterThanOrEqual(Number(floor![1]));
  const python = /^aws-cdk-lib==(\S+)$/m.exec(read('jsii/requirements-python.txt'));
  expect(minor(python![1])).toBe(Number(floor![1]));
  expect(pkg.peerDependencies.constructs).toBe(kit.peerDependencies.constructs);
});
