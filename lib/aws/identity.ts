import { Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { connectionSecretName } from '../binding';
import { skipCheckov } from './checkov';
import { acknowledgeNist } from './nag';

export interface XcomUserIdentityProps {
  /** The customer-managed access policy (attached to the user's group, never to the user). */
  readonly policy: iam.IManagedPolicy;
  /** IAM user name, environment suffix included (`airflow-xcoms-prod`). */
  readonly userName: string;
  /** Secrets Manager prefix Airflow's SecretsManagerBackend reads connections from. */
  readonly connectionsPrefix: string;
  /** Airflow connection id; the secret is `<connectionsPrefix>/<connectionId>`. */
  readonly connectionId: string;
  /** Region written to the connection's `extra.region_name`. */
  readonly region: string;
}

/**
 * Identity mode `user`: an IAM user in a group that holds the policy (checkov CKV_AWS_40), and an
 * access key stored as an Airflow connection JSON in Secrets Manager. The secret access key only
 * ever appears in the template as a `Fn::GetAtt` of the access key resource.
 */
export class XcomUserIdentity extends Construct {
  public readonly user: iam.User;
  public readonly group: iam.Group;
  public readonly secret: secretsmanager.Secret;
  /** Full secret name: `<connectionsPrefix>/<connectionId>`. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: XcomUserIdentityProps) {
    super(scope, id);
    this.group = new iam.Group(this, 'Group', { groupName: props.userName, managedPolicies: [props.policy] });
    this.user = new iam.User(this, 'User', { userName: props.userName, groups: [this.group] });
    const accessKey = new iam.AccessKey(this, 'AccessKey', { user: this.user });

    this.secretName = connectionSecretName('aws-secrets-manager', props.connectionsPrefix, props.connectionId);
    // Airflow's JSON connection format. The password is `accessKey.secretAccessKey`, a SecretValue
    // backed by the resource attribute: the rendered SecretString is a Fn::Join over
    // `Fn::GetAtt [AccessKey, SecretAccessKey]`, so the plaintext never enters the template.
    const connection = Stack.of(this).toJsonString({
      conn_type: 'aws',
      login: accessKey.accessKeyId,
      password: accessKey.secretAccessKey.unsafeUnwrap(),
      extra: { region_name: props.region },
    });
    this.secret = new secretsmanager.Secret(this, 'Connection', {
      secretName: this.secretName,
      description: `Airflow connection ${props.connectionId} (IAM user ${props.userName}) for the XCom bucket`,
      // A token built only from resource attributes; "unsafePlainText" is the factory that accepts it.
      secretStringValue: SecretValue.unsafePlainText(connection),
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The secret holds an IAM access key, which a generic Secrets Manager rotation function cannot rotate. Rotate by hand as docs/aws.md describes (create a second key, update the secret, deactivate and delete the old key), or use identity mode "role" to avoid long-lived keys.',
    });
    const awsManagedKeyReason =
      'Encrypted with the aws/secretsmanager key: a customer key would add kms:Decrypt to every Airflow component that reads connections, for no gain in who can read the secret (IAM on the secret decides that).';
    skipCheckov(this.secret, 'CKV_AWS_149', awsManagedKeyReason);
    acknowledgeNist(this.secret, 'SecretsManagerUsingKMSKey', awsManagedKeyReason);
    acknowledgeNist(
      this.secret,
      'SecretsManagerRotationEnabled',
      'The secret holds an IAM access key, which a generic Secrets Manager rotation function cannot rotate (the key is created by this stack). Rotate by hand as docs/aws.md describes, or use identity mode "role", which has no long-lived key.',
    );
  }
}

export interface TrustedPrincipals {
  /** Role, user or account-root ARNs that may call sts:AssumeRole. */
  readonly arns: readonly string[];
  /** Required `sts:ExternalId` for those principals. */
  readonly externalId?: string;
  /** Kubernetes service accounts on EKS (IRSA) that may call sts:AssumeRoleWithWebIdentity. */
  readonly eks: readonly { oidcProviderArn: string; namespace: string; serviceAccount: string }[];
}

export interface XcomRoleIdentityProps {
  readonly policy: iam.IManagedPolicy;
  readonly roleName: string;
  readonly trust: TrustedPrincipals;
  /** Maximum session length. */
  readonly maxSessionHours: number;
}

/**
 * Identity mode `role`: an IAM role with the access policy, assumable by the configured principals
 * (optionally with an external id) and/or by EKS service accounts through IRSA. No wildcard principals.
 */
export class XcomRoleIdentity extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: XcomRoleIdentityProps) {
    super(scope, id);
    const { arns, externalId, eks } = props.trust;
    const webIdentities = eks.map(webIdentityPrincipal);
    if (arns.length === 0 && webIdentities.length === 0) {
      // The config schema refuses this already; kept for callers that build the construct directly.
      throw new Error('XcomRoleIdentity needs at least one trusted principal or EKS service account');
    }
    // Principals that call sts:AssumeRole go into one statement; `externalIds` adds the
    // sts:ExternalId condition to that statement only (not to the web-identity statements below).
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Airflow XCom access role',
      assumedBy: arns.length > 0 ? new iam.CompositePrincipal(...arns.map((arn) => new iam.ArnPrincipal(arn))) : webIdentities[0],
      externalIds: arns.length > 0 && externalId ? [externalId] : undefined,
      managedPolicies: [props.policy],
      maxSessionDuration: Duration.hours(props.maxSessionHours),
    });
    for (const principal of arns.length > 0 ? webIdentities : webIdentities.slice(1)) {
      this.role.assumeRolePolicy?.addStatements(new iam.PolicyStatement({ actions: [principal.assumeRoleAction], principals: [principal] }));
    }
  }
}

/** IRSA: the service account's projected token, for this audience only. */
function webIdentityPrincipal(sa: { oidcProviderArn: string; namespace: string; serviceAccount: string }): iam.IPrincipal {
  const issuer = oidcIssuer(sa.oidcProviderArn);
  return new iam.WebIdentityPrincipal(sa.oidcProviderArn, {
    StringEquals: {
      [`${issuer}:sub`]: `system:serviceaccount:${sa.namespace}:${sa.serviceAccount}`,
      [`${issuer}:aud`]: 'sts.amazonaws.com',
    },
  });
}

/** `arn:aws:iam::<acct>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>` -> the issuer host/path. */
export function oidcIssuer(oidcProviderArn: string): string {
  const marker = ':oidc-provider/';
  const at = oidcProviderArn.indexOf(marker);
  if (at < 0) throw new Error(`not an IAM OIDC provider ARN: ${oidcProviderArn}`);
  return oidcProviderArn.slice(at + marker.length);
}
