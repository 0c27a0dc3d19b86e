import * as fc from 'fast-check';
import { Stack } from 'aws-cdk-lib';
import { buildAwsApp, newAwsApp } from '../../lib/apps/aws-app';
import { ConfigError, loadConfig, parseConfig } from '../../lib/config';
import { parse as parseYaml } from 'yaml';
import * as fs from 'node:fs';
import { configProblems } from './problems';

const ROLE = 'arn:aws:iam::123456789012:role/mwaa-execution-role';
const OIDC = 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';

/** Parses one environment `e` with the given aws section and returns the ConfigError's problems. */
function problemsOf(aws: unknown): string[] {
  return configProblems({ environments: { e: { aws } } }, 'test.yaml');
}

const base = { region: 'eu-west-1' };
const role = (extra: Record<string, unknown>) => ({ ...base, identity: { mode: 'role', trustedPrincipals: [ROLE], ...extra } });

describe('aws section of the environments file', () => {
  test('a minimal section gets the documented defaults', () => {
    const env = parseConfig({ environments: { e: { aws: base } } }).environments.e;
    expect(env.aws).toEqual({
      region: 'eu-west-1',
      connectionId: 'aws_xcoms',
      encryption: { type: 's3' },
      accessLogs: true,
      accessLogsRetentionDays: 90,
      identity: { mode: 'user', userName: 'airflow-xcoms' },
    });
  });

  test.each([
    ['region is required', {}, /aws\.region is required but missing/],
    ['region must be an AWS region', { region: 'europe-west1' }, /aws\.region: "europe-west1" is not valid: must be an AWS region/],
    ['account must be 12 digits', { ...base, account: '12345' }, /aws\.account: "12345" is not valid: must be a 12-digit AWS account id/],
    ['stackName must start with a letter', { ...base, stackName: '1stack' }, /aws\.stackName: "1stack" is not valid: must start with a letter/],
    ['stackName may not hold underscores', { ...base, stackName: 'my_stack' }, /aws\.stackName/],
    ['connectionId must be a safe identifier', { ...base, connectionId: 'aws-xcoms' }, /aws\.connectionId: "aws-xcoms" is not valid: must start with a letter/],
    ['bucketName may not hold upper case', { ...base, bucketName: 'My-Bucket' }, /aws\.bucketName: "My-Bucket" is not valid: is not a valid S3 bucket name: it may hold only lower-case/],
    ['bucketName must be at least 3 characters', { ...base, bucketName: 'ab' }, /must be 3 to 63 characters long/],
    ['bucketName may not look like an IP address', { ...base, bucketName: '192.168.1.1' }, /must not look like an IP address/],
    ['bucketName may not hold ".."', { ...base, bucketName: 'a..b' }, /must not contain "\.\."/],
    ['bucketName may not use a reserved prefix', { ...base, bucketName: 'xn--bucket' }, /must not start with "xn--"/],
    ['bucketName may not use a reserved suffix', { ...base, bucketName: 'bucket-s3alias' }, /reserved suffix/],
    ['encryption type must be s3 or kms', { ...base, encryption: { type: 'aes' } }, /aws\.encryption\.type/],
    ['existingKeyArn must be a KMS key ARN', { ...base, encryption: { type: 'kms', existingKeyArn: 'alias/mine' } }, /aws\.encryption\.existingKeyArn: "alias\/mine" is not valid: must be a KMS key ARN/],
    ['existingKeyArn is not allowed with SSE-S3', { ...base, encryption: { type: 's3', existingKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' } }, /aws\.encryption: unknown field "existingKeyArn"; known fields here: type/],
    ['accessLogs must be a boolean', { ...base, accessLogs: 'yes' }, /aws\.accessLogs: "yes" is not valid/],
    ['accessLogsRetentionDays must be at least 1', { ...base, accessLogsRetentionDays: 0 }, /aws\.accessLogsRetentionDays: 0 is not valid: must be at least 1 day/],
    ['accessLogsRetentionDays must be whole', { ...base, accessLogsRetentionDays: 1.5 }, /must be a whole number of days/],
    ['identity mode must be user or role', { ...base, identity: { mode: 'group' } }, /aws\.identity\.mode/],
    ['userName may not hold spaces', { ...base, identity: { mode: 'user', userName: 'airflow xcoms' } }, /aws\.identity\.userName: "airflow xcoms" is not valid: must be 1-64 characters/],
    ['userName leaves room for the environment suffix', { ...base, identity: { mode: 'user', userName: 'a'.repeat(44) } }, /aws\.identity\.userName: .* must be at most 43 characters/],
    ['connectionsPrefix may not end with "/"', { ...base, identity: { mode: 'user', connectionsPrefix: 'airflow/connections/' } }, /aws\.identity\.connectionsPrefix: .* must not end with "\/"/],
    ['connectionsPrefix may not hold spaces', { ...base, identity: { mode: 'user', connectionsPrefix: 'airflow conns' } }, /aws\.identity\.connectionsPrefix/],
    ['user fields are not accepted in role mode', role({ userName: 'x' }), /aws\.identity: unknown field "userName"; known fields here: mode, roleName/],
    ['a role needs someone to assume it', { ...base, identity: { mode: 'role' } }, /a role needs at least one entry in trustedPrincipals or eks/],
    ['trustedPrincipals may not be a wildcard', { ...base, identity: { mode: 'role', trustedPrincipals: ['*'] } }, /aws\.identity\.trustedPrincipals\.0: "\*" is not valid: must be an IAM role, user or account root ARN \(no wildcards\)/],
    ['trustedPrincipals may not hold a wildcard inside an ARN', { ...base, identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::123456789012:role/*'] } }, /trustedPrincipals\.0/],
    ['trustedPrincipals may not be service principals', { ...base, identity: { mode: 'role', trustedPrincipals: ['ec2.amazonaws.com'] } }, /trustedPrincipals\.0/],
    ['roleName must be an IAM name', role({ roleName: 'role/with/slash' }), /aws\.identity\.roleName/],
    ['externalId must be at least 2 characters', role({ externalId: 'x' }), /aws\.identity\.externalId/],
    ['externalId may not hold spaces', role({ externalId: 'has space' }), /aws\.identity\.externalId/],
    ['maxSessionHours is 1 to 12', role({ maxSessionHours: 13 }), /aws\.identity\.maxSessionHours: 13 is not valid/],
    ['eks oidcProviderArn must be an OIDC provider ARN', role({ eks: [{ oidcProviderArn: 'https://oidc.eks.example', namespace: 'a', serviceAccount: 'b' }] }), /aws\.identity\.eks\.0\.oidcProviderArn/],
    ['eks namespace must be a Kubernetes name', role({ eks: [{ oidcProviderArn: OIDC, namespace: 'Airflow', serviceAccount: 'b' }] }), /aws\.identity\.eks\.0\.namespace: "Airflow" is not valid: must be a Kubernetes namespace name/],
    ['eks serviceAccount must be a Kubernetes name', role({ eks: [{ oidcProviderArn: OIDC, namespace: 'a', serviceAccount: 'worker_1' }] }), /aws\.identity\.eks\.0\.serviceAccount/],
    ['eks entries take no other fields', role({ eks: [{ oidcProviderArn: OIDC, namespace: 'a', serviceAccount: 'b', audience: 'x' }] }), /eks\.0: unknown field "audience"/],
    ['a misspelt field is reported', { ...base, bucket_name: 'x' }, /aws: unknown field "bucket_name"; did you mean "bucketName"\?/],
    ['existing mode needs at least one role', { ...base, identity: { mode: 'existing', roleArns: [] } }, /aws\.identity\.roleArns: .*name at least one existing role/],
    ['existing mode takes role ARNs, not users', { ...base, identity: { mode: 'existing', roleArns: ['arn:aws:iam::123456789012:user/airflow'] } }, /aws\.identity\.roleArns\.0: "arn:aws:iam::123456789012:user\/airflow" is not valid: must be an IAM role ARN/],
    ['existing mode refuses wildcards', { ...base, identity: { mode: 'existing', roleArns: ['arn:aws:iam::123456789012:role/*'] } }, /aws\.identity\.roleArns\.0/],
    ['existing mode refuses a role listed twice', { ...base, identity: { mode: 'existing', roleArns: [ROLE, ROLE] } }, /aws\.identity\.roleArns: .*lists a role twice/],
    ['existing mode refuses roles of another account than the deploy account', { ...base, account: '210987654321', identity: { mode: 'existing', roleArns: [ROLE] } }, /aws\.identity\.roleArns\.0: .*is in account 123456789012, not the deploy account 210987654321/],
    ['existing mode takes no role fields', { ...base, identity: { mode: 'existing', roleArns: [ROLE], trustedPrincipals: [ROLE] } }, /unknown field "trustedPrincipals"/],
  ])('%s', (_name, aws, message) => {
    const problems = problemsOf(aws);
    expect(problems.join('\n')).toMatch(message);
    for (const problem of problems) expect(problem).toMatch(/^environments\.e\.aws/);
  });
});

/** Builds the AWS app the way bin/aws.ts does, from an already-parsed document. */
function synthesizeDocument(document: unknown): { threw: unknown; stacks: number } {
  const app = newAwsApp({ builtinCloudFormationValidation: false });
  try {
    const config = parseConfig(document, 'fuzz.yaml');
    buildAwsApp(config, { app });
    return { threw: undefined, stacks: app.node.children.filter((c) => c instanceof Stack).length };
  } catch (err) {
    return { threw: err, stacks: app.node.children.filter((c) => c instanceof Stack).length };
  }
}

const outcomes = { rejected: 0, built: 0 };

function expectOnlyConfigErrors(document: unknown): void {
  const { threw, stacks } = synthesizeDocument(document);
  outcomes[threw === undefined ? 'built' : 'rejected']++;
  if (threw !== undefined) {
    if (!(threw instanceof ConfigError)) throw threw;
    // No partial output: a rejected configuration defines no stack at all.
    expect(stacks).toBe(0);
  }
}

const shippedDocument = parseYaml(fs.readFileSync('config/environments.yaml', 'utf8')) as Record<string, unknown>;

/** Paths worth mutating: every aws field of the defaults and of each environment, plus shared settings. */
const AWS_PATHS: string[][] = [
  ...['region', 'account', 'stackName', 'connectionId', 'bucketName', 'encryption', 'accessLogs', 'accessLogsRetentionDays', 'identity'].map((k) => ['defaults', 'aws', k]),
  ['defaults', 'aws', 'identity', 'mode'],
  ['defaults', 'aws', 'identity', 'userName'],
  ['defaults', 'aws', 'identity', 'connectionsPrefix'],
  ['environments', 'prod', 'aws', 'identity', 'trustedPrincipals'],
  ['environments', 'prod', 'aws', 'identity', 'trustedPrincipals', '0'],
  ['environments', 'prod', 'aws', 'identity', 'externalId'],
  ['environments', 'prod', 'aws', 'identity', 'eks'],
  ['environments', 'prod', 'aws', 'identity', 'roleName'],
  ['environments', 'prod', 'aws', 'identity', 'maxSessionHours'],
  ['environments', 'prod', 'aws', 'encryption', 'type'],
  ['environments', 'prod', 'aws', 'encryption', 'existingKeyArn'],
  ['environments', 'dev', 'aws'],
  ['environments', 'dev', 'aws', 'accessLogs'],
  ['environments', 'staging', 'aws'],
  ['environments', 'dev', 'xcom'],
  ['environments', 'dev', 'retention', 'noncurrentNewerVersions'],
  ['defaults', 'xcom', 'prefix'],
  ['defaults', 'removalPolicy'],
  ['defaults', 'tags'],
  ['environments'],
];

function setPath(document: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(document) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Values near the valid ones: wrong types, edge strings, wildcards, near-valid ARNs and names. */
const interestingValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    undefined, null, '', '*', 'arn:aws:iam::*:root', ROLE, OIDC, 'a'.repeat(64), 'xcom/', '/xcom', '..', 'eu-west-1', 'us-gov-west-1',
    { mode: 'role' }, { mode: 'role', eks: [{ oidcProviderArn: OIDC, namespace: 'a', serviceAccount: 'b' }] }, { mode: 'user', userName: 'x' },
    { type: 'kms' }, { type: 'kms', existingKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' }, [ROLE, ROLE], 0, -1, 1.5, 1e9, true, [],
  ),
  // Plausibly valid values, so that many mutated documents are accepted and built.
  fc.constantFrom(
    undefined, 'us-east-1', '123456789012', 'XcomsStack', 'xcom_conn', 'acme-airflow-xcoms-1', { type: 's3' }, false, true, 1, 7, 30, 365,
    'airflow', 'airflow/xcom', 'retain', 'destroy', { team: 'data' }, [ROLE], { region: 'us-east-1' }, { prefix: 'x', threshold: 0, compression: null },
  ),
);

describe('arbitrary configurations', () => {
  test('the shipped file builds every aws environment', () => {
    expect(synthesizeDocument(shippedDocument)).toEqual({ threw: undefined, stacks: 3 });
    expect(Object.keys(loadConfig('config/environments.yaml').environments)).toHaveLength(3);
  });

  test('arbitrary JSON documents give a ConfigError or stacks, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ environments: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }) })),
        expectOnlyConfigErrors,
      ),
      { numRuns: 150 },
    );
  });

  test('mutations of the shipped file give a ConfigError or stacks, never another exception, and no stack when rejected', () => {
    outcomes.built = 0;
    outcomes.rejected = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...AWS_PATHS), interestingValue), { minLength: 1, maxLength: 2 }), (mutations) => {
        let document: unknown = shippedDocument;
        for (const [path, value] of mutations) document = setPath(document, path, value);
        expectOnlyConfigErrors(document);
      }),
      // About 1 mutated document in 15 is accepted: 400 runs make "at least 5 built" hold on every
      // seed (150 runs fell short now and then, a flaky test).
      { numRuns: 400 },
    );
    // The mutations exercise both sides: some configurations are accepted and built, some rejected.
    expect(outcomes.built).toBeGreaterThanOrEqual(5);
    expect(outcomes.rejected).toBeGreaterThan(10);
  });
});

/**
 * The oracle the "rejected or built" property lacks: values that are invalid wherever they are put
 * at these paths. A validator that accepts everything fails here.
 */
const KNOWN_INVALID: Array<[string[], unknown[]]> = [
  [['defaults', 'aws', 'region'], ['mars-1', 'eu-west', 'EU-WEST-1', '', 1]],
  [['defaults', 'aws', 'account'], ['12345678901', 'abcdefghijkl', '1234567890123']],
  [['defaults', 'aws', 'connectionId'], ['a-b', '1abc', 'a b', '', 'x;y']],
  [['defaults', 'aws', 'bucketName'], ['../etc', 'A', 'ab', 'UPPER', 'a..b', '192.168.0.1', 'xn--abc', 'x-s3alias', 'a_b']],
  [['defaults', 'aws', 'accessLogsRetentionDays'], [0, -1, 1.5, 3651, '90']],
  [['defaults', 'aws', 'identity', 'userName'], ['a b', 'x'.repeat(44), '']],
  [['defaults', 'xcom', 'prefix'], ['/x', 'x/', 'a//b', '..', 'a/../b', '.', 'a/./b', 'x y', 'a\nb', 'x'.repeat(201)]],
  [['environments', 'prod', 'aws', 'identity', 'trustedPrincipals', '0'], ['*', 'arn:aws:iam::*:root', 'arn:aws:iam::123456789012:role/*x*']],
  [['environments', 'prod', 'aws', 'identity', 'maxSessionHours'], [0, 13, 1.5]],
];

describe('known-invalid values', () => {
  test.each(KNOWN_INVALID.flatMap(([path, values]) => values.map((v) => [path.join('.'), v, path] as const)))('%s = %j is rejected', (_, value, path) => {
    expect(() => parseConfig(setPath(shippedDocument, path, value))).toThrow(ConfigError);
  });

  test('a document holding any of them is rejected, whatever else changes (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN_INVALID).chain(([path, values]) => fc.tuple(fc.constant(path), fc.constantFrom(...values))),
        fc.tuple(fc.constantFrom(...AWS_PATHS), interestingValue),
        ([badPath, bad], [otherPath, other]) => {
          // The other mutation must not remove the bad value (a parent path would).
          if (badPath.join('.').startsWith(otherPath.join('.'))) return;
          const document = setPath(setPath(shippedDocument, otherPath, other), badPath, bad);
          expect(() => parseConfig(document)).toThrow(ConfigError);
        },
      ),
      { numRuns: 200 },
    );
  });
});
