import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { candidatesInDocument, findCandidates, parseSelector, selectBinding } from '../../lib/cli/input';
import { bindingTextFromCfnOutput, bindingTextFromTfOutput } from '../../lib/cli/synth';
import { fixture } from './helpers';

const binding = (name: string) => JSON.parse(fs.readFileSync(fixture(name), 'utf8'));
const text = (name: string) => JSON.stringify(binding(name));

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xcomkit-input-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, doc: unknown) => {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
};

describe('binding sources', () => {
  test('a bare binding file', () => {
    expect(findCandidates(fixture('aws-user'))).toEqual([{ origin: fixture('aws-user'), raw: binding('aws-user'), synthesized: false }]);
  });

  test('cdk deploy --outputs-file, with other outputs beside it', () => {
    const file = write('outputs.json', { 'xcomkit-dev': { BucketName: 'b', AirflowBinding: text('aws-user') }, Other: { X: '1' } });
    const [c] = findCandidates(file);
    expect(c.raw).toEqual(binding('aws-user'));
    expect(c.origin).toMatch(/stack xcomkit-dev, output AirflowBinding/);
  });

  test('terraform output -json', () => {
    const file = write('tf.json', { airflow_binding: { value: text('gcp-key'), type: 'string', sensitive: false }, other: { value: 'x', type: 'string' } });
    expect(findCandidates(file).map((c) => c.raw)).toEqual([binding('gcp-key')]);
  });

  test.each(['airflow_binding', 'airflowBinding'])('cdktf deploy --outputs-file with key %s', (key) => {
    const file = write('cdktf-outputs.json', { 'gcp-prod': { [key]: text('gcp-workload-identity') }, 'azure-prod': { [key]: text('azure-workload-identity') } });
    expect(findCandidates(file).map((c) => (c.raw as { cloud: string }).cloud)).toEqual(['gcp', 'azure']);
  });

  test('a CloudFormation template whose binding is a plain string', () => {
    const file = write('x.template.json', { Resources: {}, Outputs: { AirflowBinding: { Value: text('aws-role') } } });
    expect(findCandidates(file)[0].raw).toEqual(binding('aws-role'));
  });

  test('a CloudFormation template with Fn::Join, Ref and Fn::GetAtt: placeholders, JSON kept valid', () => {
    const b = binding('aws-role');
    const json = JSON.stringify(b)
      .replace(/airflow-xcoms-prod-123456789012-eu-west-1/g, '@@BUCKET@@')
      .replace(/arn:aws:iam::123456789012:role\/airflow-xcoms-prod/g, '@@ROLE@@');
    const parts: unknown[] = [];
    for (const piece of json.split(/(@@[A-Z]+@@)/)) {
      if (piece === '@@BUCKET@@') parts.push({ Ref: 'XcomsBucket6FD333B1' });
      else if (piece === '@@ROLE@@') parts.push({ 'Fn::GetAtt': ['IdentityRoleABC123', 'Arn'] });
      else parts.push(piece);
    }
    const file = write('cdk.out/prod.template.json', { Resources: {}, Outputs: { AirflowBinding: { Value: { 'Fn::Join': ['', parts] } } } });
    const [found] = findCandidates(path.join(tmp, 'cdk.out')).map((c) => selectBinding([c], {}));
    expect(found.synthesized).toBe(true);
    expect(found.binding.xcom.path).toBe('s3://aws_xcoms@<deploy-time:XcomsBucket6FD333B1>/xcom');
    expect(found.binding.identity.roleArn).toBe('<deploy-time:IdentityRoleABC123.Arn>');
    expect(file).toMatch(/template.json$/);
  });

  test('CloudFormation intrinsics render as placeholders, never as empty strings', () => {
    expect(bindingTextFromCfnOutput({ 'Fn::Join': ['', ['a', { Ref: 'AWS::Region' }, { 'Fn::GetAtt': 'R.Arn' }, { 'Fn::Select': [0, []] }]] })).toBe(
      'a<deploy-time:AWS::Region><deploy-time:R.Arn><deploy-time:Fn::Select>',
    );
  });

  test('a cdk.tf.json with Terraform interpolations', () => {
    const b = binding('gcp-workload-identity');
    b.identity.principal = '${google_service_account.xcom-identity_sa_01AA3AF9.email}';
    const file = write('cdktf.out/stacks/gcp-prod/cdk.tf.json', { terraform: {}, resource: {}, output: { airflow_binding: { value: JSON.stringify(b) } } });
    const [c] = findCandidates(path.join(tmp, 'cdktf.out'));
    expect(c.origin).toContain(file);
    const found = selectBinding([c], {});
    expect(found.binding.identity.principal).toBe('<deploy-time:google_service_account.xcom-identity_sa_01AA3AF9.email>');
    expect(found.synthesized).toBe(true);
  });

  test('Terraform: nested braces, quotes and the $${ escape', () => {
    expect(bindingTextFromTfOutput('{"a":"${lookup(var.m, \\"k\\")}","b":"$${literal}"}')).toBe('{"a":"<deploy-time:lookup_var.m___k__>","b":"${literal}"}');
    expect(() => bindingTextFromTfOutput('${jsonencode({a = 1})}')).toThrow(/JSON string/);
  });

  test('a directory with several synths finds them all, sorted', () => {
    write('out/a.template.json', { Resources: {}, Outputs: { AirflowBinding: { Value: text('aws-user') } } });
    write('out/stacks/gcp/cdk.tf.json', { terraform: {}, output: { airflow_binding: { value: text('gcp-key') } } });
    write('out/manifest.json', { version: '1' });
    expect(findCandidates(path.join(tmp, 'out')).map((c) => (c.raw as { cloud: string }).cloud)).toEqual(['aws', 'gcp']);
  });

  test.each([
    ['a missing file', () => path.join(tmp, 'nope.json'), /does not exist; pass a deploy outputs file/],
    ['a file that is not JSON', () => write('bad.json', 'not json'), /is not JSON/],
    ['JSON without a binding', () => write('empty.json', { x: 1 }), /no Airflow binding in .*expected an output named AirflowBinding/],
    ['an empty directory', () => (fs.mkdirSync(path.join(tmp, 'd')), path.join(tmp, 'd')), /run the synth first/],
  ])('%s is refused with what to do next', (_, make, message) => {
    expect(() => findCandidates(make())).toThrow(message);
  });

  test('an unparsable binding string names where it was', () => {
    expect(() => candidatesInDocument({ S: { AirflowBinding: '{nope' } }, 'o.json')).toThrow(/o.json \(stack S, output AirflowBinding\): the binding is not valid JSON/);
  });
});

describe('selection', () => {
  const several = () => [
    { origin: 'a', raw: binding('aws-user'), synthesized: false },
    { origin: 'b', raw: binding('aws-role'), synthesized: false },
    { origin: 'c', raw: binding('gcp-key'), synthesized: false },
  ];

  test('one binding needs no flag', () => {
    expect(selectBinding([several()[0]], {}).binding.environment).toBe('dev');
  });

  test('several without a selection: a usage error listing each with its flags', () => {
    expect(() => selectBinding(several(), {})).toThrow(/3 bindings found; choose one with --cloud and --env:\n {2}--cloud aws --env dev {4}a\n {2}--cloud aws --env prod {4}b\n {2}--cloud gcp --env dev {4}c/);
  });

  test('--cloud and --env narrow down', () => {
    expect(selectBinding(several(), { cloud: 'aws', env: 'prod' }).origin).toBe('b');
    expect(selectBinding(several(), { cloud: 'gcp' }).origin).toBe('c');
  });

  test('no match lists what exists', () => {
    expect(() => selectBinding(several(), { cloud: 'azure' })).toThrow(/no binding for cloud azure; found:/);
  });

  test('an invalid selected binding is reported with its origin', () => {
    const bad = binding('aws-user');
    bad.xcom.compression = 'snappy';
    expect(() => selectBinding([{ origin: 'x.json', raw: bad, synthesized: false }], {})).toThrow(/invalid Airflow binding in x.json: xcom\.compression: "snappy" is not valid: .*use "zstd"/);
  });

  test.each([
    ['tf.json', { source: 'tf.json', selection: {} }],
    ['tf.json#gcp/prod', { source: 'tf.json', selection: { cloud: 'gcp', env: 'prod' } }],
    ['cdktf.out#gcp', { source: 'cdktf.out', selection: { cloud: 'gcp', env: undefined } }],
    ['cdktf.out#/prod', { source: 'cdktf.out', selection: { cloud: undefined, env: 'prod' } }],
  ])('mirror selector %s', (sel, expected) => {
    expect(parseSelector(sel)).toEqual(expected);
  });
});
