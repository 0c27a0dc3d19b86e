import { BINDING_OUTPUT_CFN, parseBinding, xcomObjectStoragePath, type AirflowBinding } from '../../lib/binding';
import { awsBinding, awsBindingDocument, XcomIdentityMode } from '../../lib/aws/binding';
import { OUTPUTS } from '../../lib/apps/aws-stack';
import { MWAA_ROLE, OIDC_PROVIDER, onlyResource, shippedTemplate, templateFor } from './helpers';
import { resolveIntrinsics } from './intrinsics';
import type { Template } from 'aws-cdk-lib/assertions';

/**
 * What the xcomkit CLI does with a synthesized template: substitute a placeholder for every
 * reference that only deployment resolves, then parse.
 */
function bindingFromTemplate(template: Template): AirflowBinding {
  const json = template.toJSON() as { Outputs: Record<string, { Value: unknown }>; Resources: Record<string, { Type: string }> };
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const id of Object.keys(json.Resources)) {
    refs[id] = `<deploy-time:${id}>`;
    attributes[`${id}.Arn`] = `<deploy-time:${id}.Arn>`;
  }
  const value = resolveIntrinsics(json.Outputs[BINDING_OUTPUT_CFN].Value, { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', refs, attributes });
  expect(typeof value).toBe('string');
  return parseBinding(value as string);
}

describe('AirflowBinding output', () => {
  test('dev: the output parses as a binding for an IAM user whose key is in Secrets Manager', () => {
    const template = shippedTemplate('dev');
    const bucket = onlyResource(template, 'AWS::S3::Bucket').logicalId;
    const user = onlyResource(template, 'AWS::IAM::User').logicalId;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').logicalId;
    expect(bindingFromTemplate(template)).toEqual({
      schemaVersion: 1,
      cloud: 'aws',
      environment: 'dev',
      storage: { bucket: `<deploy-time:${bucket}>`, prefix: 'xcom', region: 'eu-west-1' },
      xcom: { path: `s3://aws_xcoms@<deploy-time:${bucket}>/xcom`, threshold: 1024, compression: 'gzip' },
      connection: { id: 'aws_xcoms', type: 'aws', extra: { region_name: 'eu-west-1' } },
      identity: {
        mode: 'user',
        principal: `<deploy-time:${user}>`,
        secret: { store: 'aws-secrets-manager', name: 'airflow/dev/connections/aws_xcoms', connectionsPrefix: 'airflow/dev/connections', id: `<deploy-time:${secret}>` },
      },
    });
  });

  test('prod: a role assumed by trusted principals puts role_arn into the connection extra', () => {
    const template = shippedTemplate('prod');
    const role = onlyResource(template, 'AWS::IAM::Role').logicalId;
    const binding = bindingFromTemplate(template);
    expect(binding.connection.extra).toEqual({ region_name: 'eu-west-1', role_arn: `<deploy-time:${role}.Arn>` });
    expect(binding.identity).toEqual({ mode: 'role', principal: `<deploy-time:${role}.Arn>`, roleArn: `<deploy-time:${role}.Arn>` });
  });

  test('a role used only through IRSA lists the service accounts and has no role_arn in the connection', () => {
    const template = templateFor({
      connectionId: 'xcoms',
      identity: { mode: 'role', eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'airflow-worker' }] },
    }, { xcom: { prefix: 'airflow/xcom', threshold: 0, compression: null } });
    const binding = bindingFromTemplate(template);
    expect(binding.connection).toEqual({ id: 'xcoms', type: 'aws', extra: { region_name: 'eu-west-1' } });
    expect(binding.identity.kubernetesServiceAccounts).toEqual([{ namespace: 'airflow', serviceAccount: 'airflow-worker' }]);
    expect(binding.xcom).toEqual({ path: expect.stringMatching(/^s3:\/\/xcoms@<deploy-time:\w+>\/airflow\/xcom$/), threshold: 0, compression: null });
  });

  test('with both trusted principals and IRSA, role_arn is set and the service accounts are listed', () => {
    const binding = bindingFromTemplate(
      templateFor({ identity: { mode: 'role', trustedPrincipals: [MWAA_ROLE], eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'a', serviceAccount: 'b' }] } }),
    );
    expect(binding.connection.extra.role_arn).toMatch(/^<deploy-time:\w+\.Arn>$/);
    expect(binding.identity.kubernetesServiceAccounts).toHaveLength(1);
  });

  test('a dedicated bucket without prefix gives a path without a prefix part', () => {
    const binding = bindingFromTemplate(templateFor({}, { xcom: { prefix: '', dedicatedBucket: true } }));
    expect(binding.xcom.path).toMatch(/^s3:\/\/aws_xcoms@<deploy-time:\w+>$/);
    expect(binding.storage.prefix).toBe('');
  });

  test('awsBinding builds the same path as the shared xcomObjectStoragePath for concrete values', () => {
    for (const prefix of ['xcom', 'a/b', '']) {
      const binding = awsBinding({
        environment: 'e', bucketName: 'b-1', prefix, region: 'us-east-1', connectionId: 'c', threshold: 5, compression: 'zstd',
        identity: { mode: XcomIdentityMode.USER, principal: 'u' },
      });
      expect(binding.xcom.path).toBe(xcomObjectStoragePath('aws', 'c', 'b-1', prefix));
      // Typed as the schema's type: the structs cannot drift from lib/binding.ts unnoticed.
      const document: AirflowBinding = awsBindingDocument(binding);
      expect(parseBinding(JSON.stringify(document))).toEqual(document);
    }
  });

  test('the binding document says compression null when there is none (the schema requires the key)', () => {
    for (const compression of [undefined, 'gzip']) {
      const binding = awsBinding({
        environment: 'e', bucketName: 'b-1', prefix: 'x', region: 'us-east-1', connectionId: 'c', threshold: 5, compression,
        identity: { mode: XcomIdentityMode.ROLE, principal: 'arn:aws:iam::111122223333:role/r', roleArn: 'arn:aws:iam::111122223333:role/r' },
        assumeRole: true,
      });
      const document = parseBinding(JSON.stringify(awsBindingDocument(binding)));
      expect(document.xcom.compression).toBe(compression ?? null);
      expect(document.connection.extra.role_arn).toBe('arn:aws:iam::111122223333:role/r');
    }
  });

  test('the binding JSON is a single Fn::Join of literals and references', () => {
    const json = shippedTemplate('prod').toJSON() as { Outputs: Record<string, { Value: Record<string, unknown> }> };
    expect(Object.keys(json.Outputs[BINDING_OUTPUT_CFN].Value)).toEqual(['Fn::Join']);
  });
});

describe('stack outputs', () => {
  test('user mode outputs bucket, region, prefix, connection, path, threshold, compression, user and secret', () => {
    const template = shippedTemplate('dev');
    const bucket = onlyResource(template, 'AWS::S3::Bucket').logicalId;
    const outputs = (template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(Object.keys(outputs).sort()).toEqual(
      [OUTPUTS.bucket, OUTPUTS.region, OUTPUTS.prefix, OUTPUTS.connectionId, OUTPUTS.path, OUTPUTS.threshold, OUTPUTS.compression, OUTPUTS.userName, OUTPUTS.secretName, OUTPUTS.secretArn, BINDING_OUTPUT_CFN].sort(),
    );
    expect(outputs[OUTPUTS.bucket].Value).toEqual({ Ref: bucket });
    expect(outputs[OUTPUTS.region].Value).toBe('eu-west-1');
    expect(outputs[OUTPUTS.prefix].Value).toBe('xcom');
    expect(outputs[OUTPUTS.connectionId].Value).toBe('aws_xcoms');
    expect(outputs[OUTPUTS.path].Value).toEqual({ 'Fn::Join': ['', ['s3://aws_xcoms@', { Ref: bucket }, '/xcom']] });
    expect(outputs[OUTPUTS.threshold].Value).toBe('1024');
    expect(outputs[OUTPUTS.compression].Value).toBe('gzip');
    expect(outputs[OUTPUTS.secretName].Value).toBe('airflow/dev/connections/aws_xcoms');
  });

  test('role mode outputs the role ARN instead of user and secret', () => {
    const template = shippedTemplate('prod');
    const role = onlyResource(template, 'AWS::IAM::Role').logicalId;
    const outputs = (template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(outputs[OUTPUTS.roleArn].Value).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
    expect(outputs[OUTPUTS.userName]).toBeUndefined();
    expect(outputs[OUTPUTS.secretArn]).toBeUndefined();
  });

  test('existing mode: the binding names the existing roles, the connection has no role_arn and no secret', () => {
    const roles = [MWAA_ROLE, 'arn:aws:iam::123456789012:role/airflow-worker-pod-role'];
    const binding = bindingFromTemplate(templateFor({ identity: { mode: 'existing', roleArns: roles } }));
    expect(binding.identity).toEqual({ mode: 'existing', principal: MWAA_ROLE, principals: roles });
    expect(binding.connection.extra).toEqual({ region_name: 'eu-west-1' });
  });

  test('no compression is output as "none"', () => {
    const outputs = (templateFor({}, { xcom: { compression: null } }).toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(outputs[OUTPUTS.compression].Value).toBe('none');
  });
});
