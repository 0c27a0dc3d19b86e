import { Match, Template } from 'aws-cdk-lib/assertions';
import { MWAA_ROLE, OIDC_ISSUER, OIDC_PROVIDER, onlyResource, shippedTemplate, templateFor } from './helpers';

describe('identity mode "user"', () => {
  test('dev gets IAM user airflow-xcoms-dev in a group that holds the customer-managed policy', () => {
    const template = shippedTemplate('dev');
    const policy = onlyResource(template, 'AWS::IAM::ManagedPolicy');
    const group = onlyResource(template, 'AWS::IAM::Group');
    expect(group.properties).toEqual({ GroupName: 'airflow-xcoms-dev', ManagedPolicyArns: [{ Ref: policy.logicalId }] });
    const user = onlyResource(template, 'AWS::IAM::User');
    expect(user.properties).toMatchObject({ UserName: 'airflow-xcoms-dev', Groups: [{ Ref: group.logicalId }] });
    // Nothing attached to the user directly (checkov CKV_AWS_40), no inline policies anywhere.
    expect(user.properties.ManagedPolicyArns).toBeUndefined();
    expect(user.properties.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
    expect(policy.properties.ManagedPolicyName).toBe('airflow-xcoms-dev-xcom-access');
  });

  test('the user name is configurable and always carries the environment suffix', () => {
    const template = templateFor({ identity: { mode: 'user', userName: 'etl' } });
    template.hasResourceProperties('AWS::IAM::User', { UserName: 'etl-test' });
    template.hasResourceProperties('AWS::IAM::Group', { GroupName: 'etl-test' });
  });

  test('the access key lands in Secrets Manager as an Airflow connection JSON under the connections prefix', () => {
    const template = templateFor({ connectionId: 'xcom_s3', identity: { mode: 'user', connectionsPrefix: 'airflow/prod/connections' } });
    const key = onlyResource(template, 'AWS::IAM::AccessKey');
    const user = onlyResource(template, 'AWS::IAM::User');
    expect(key.properties).toEqual({ UserName: { Ref: user.logicalId } });
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret');
    expect(secret.properties.Name).toBe('airflow/prod/connections/xcom_s3');
    expect(secret.properties.GenerateSecretString).toBeUndefined();
    // The secret string is a join of literals and resource attributes only.
    expect(secret.properties.SecretString).toEqual({
      'Fn::Join': ['', ['{"conn_type":"aws","login":"', { Ref: key.logicalId }, '","password":"', { 'Fn::GetAtt': [key.logicalId, 'SecretAccessKey'] }, '","extra":{"region_name":"eu-west-1"}}']],
    });
  });

  test('the secret access key appears only as a Fn::GetAtt inside the secret, never in outputs or elsewhere', () => {
    const template = templateFor({});
    const json = template.toJSON() as { Resources: Record<string, { Type: string }>; Outputs: Record<string, unknown> };
    const key = onlyResource(template, 'AWS::IAM::AccessKey');
    const getAtt = JSON.stringify({ 'Fn::GetAtt': [key.logicalId, 'SecretAccessKey'] });
    const where = Object.entries(json.Resources).filter(([, r]) => JSON.stringify(r).includes(getAtt)).map(([, r]) => r.Type);
    expect(where).toEqual(['AWS::SecretsManager::Secret']);
    expect(JSON.stringify(json.Outputs)).not.toContain('SecretAccessKey');
    expect(JSON.stringify(json)).not.toMatch(/"password":"[^"]/);
  });

  test('no rotation schedule is created: an access key needs the manual rotation docs/aws.md describes', () => {
    templateFor({}).resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

});

describe('identity mode "role"', () => {
  test('prod gets role airflow-xcoms-prod assumable by the MWAA execution role only', () => {
    const template = shippedTemplate('prod');
    const policy = onlyResource(template, 'AWS::IAM::ManagedPolicy');
    const role = onlyResource(template, 'AWS::IAM::Role');
    expect(role.properties).toMatchObject({
      RoleName: 'airflow-xcoms-prod',
      ManagedPolicyArns: [{ Ref: policy.logicalId }],
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: MWAA_ROLE } }],
      },
    });
    expect(role.properties.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test('an external id is required from the trusted principals when configured', () => {
    const template = templateFor({ identity: { mode: 'role', trustedPrincipals: [MWAA_ROLE, 'arn:aws:iam::210987654321:root'], externalId: 'astro-1234' } });
    const role = onlyResource(template, 'AWS::IAM::Role');
    expect(role.properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: [MWAA_ROLE, 'arn:aws:iam::210987654321:root'] },
        Condition: { StringEquals: { 'sts:ExternalId': 'astro-1234' } },
      },
    ]);
  });

  test('EKS service accounts assume the role with web identity, pinned to sub and aud', () => {
    const template = templateFor({
      identity: {
        mode: 'role',
        roleName: 'xcoms-irsa',
        maxSessionHours: 2,
        eks: [
          { oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'airflow-worker' },
          { oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'airflow-triggerer' },
        ],
      },
    });
    const role = onlyResource(template, 'AWS::IAM::Role');
    expect(role.properties.RoleName).toBe('xcoms-irsa');
    expect(role.properties.MaxSessionDuration).toBe(7200);
    const statements = role.properties.AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    for (const [i, sa] of ['airflow-worker', 'airflow-triggerer'].entries()) {
      expect(statements[i]).toEqual({
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: OIDC_PROVIDER },
        Condition: { StringEquals: { [`${OIDC_ISSUER}:sub`]: `system:serviceaccount:airflow:${sa}`, [`${OIDC_ISSUER}:aud`]: 'sts.amazonaws.com' } },
      });
    }
  });

  test('trusted principals and EKS service accounts can be combined', () => {
    const template = templateFor({
      identity: { mode: 'role', trustedPrincipals: [MWAA_ROLE], eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'worker' }] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'sts:AssumeRole', Principal: { AWS: MWAA_ROLE } }),
          Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: OIDC_PROVIDER } }),
        ],
      },
    });
  });

  test('the external id is required from assuming principals only, not from IRSA service accounts', () => {
    const template = templateFor({
      identity: { mode: 'role', trustedPrincipals: [MWAA_ROLE], externalId: 'astro-1234', eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'airflow', serviceAccount: 'worker' }] },
    });
    const [assume, web] = onlyResource(template, 'AWS::IAM::Role').properties.AssumeRolePolicyDocument.Statement;
    expect(assume.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'astro-1234' } });
    expect(web.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(JSON.stringify(web.Condition)).not.toContain('sts:ExternalId');
  });

  test('no trust policy in any configuration names a wildcard principal', () => {
    const templates: Template[] = [
      shippedTemplate('prod'),
      templateFor({ identity: { mode: 'role', trustedPrincipals: [MWAA_ROLE], externalId: 'x-1', eks: [{ oidcProviderArn: OIDC_PROVIDER, namespace: 'a', serviceAccount: 'b' }] } }),
    ];
    for (const template of templates) {
      const trust = JSON.stringify(onlyResource(template, 'AWS::IAM::Role').properties.AssumeRolePolicyDocument);
      expect(trust).not.toMatch(/"\*"/);
    }
  });
});
