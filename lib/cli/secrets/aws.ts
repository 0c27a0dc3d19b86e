import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretRef } from '../../binding';
import { firstLine, SECRET_TIMEOUT_MS, SecretAccessError, SecretResolver, withDeadline } from './types';

const LOGIN_HINT = 'log in with `aws sso login` or `aws configure` (or set AWS_PROFILE / AWS_ACCESS_KEY_ID), then retry';

/** AWS Secrets Manager, credentials from the default chain; region from the secret ARN. */
export class AwsSecretsManagerResolver implements SecretResolver {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs = SECRET_TIMEOUT_MS,
  ) {}

  async resolve(ref: SecretRef): Promise<string> {
    const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(ref.id)?.[1] ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
    const endpoint = this.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? this.env.AWS_ENDPOINT_URL;
    const client = new SecretsManagerClient({ region, maxAttempts: 2, ...(endpoint ? { endpoint } : {}) });
    try {
      const out = await withDeadline(client.send(new GetSecretValueCommand({ SecretId: ref.id })), this.timeoutMs, `AWS Secrets Manager (${region ?? 'no region'})`, 'check the network and the region');
      if (out.SecretString === undefined) throw new SecretAccessError(`secret ${ref.name} has no string value`, 'check what the stack wrote');
      return out.SecretString;
    } catch (e) {
      if (e instanceof SecretAccessError) throw e;
      const name = (e as { name?: string }).name ?? '';
      const hint =
        /CredentialsProviderError|ExpiredToken|UnrecognizedClient|InvalidSignature|TokenRefreshRequired/.test(name) ? LOGIN_HINT :
        name === 'AccessDeniedException' ? 'the credentials lack secretsmanager:GetSecretValue on the secret (see the deploy checklist)' :
        name === 'ResourceNotFoundException' ? 'the secret does not exist: deploy the stack first, or check the region and account' :
        'check the network, the region and your credentials';
      throw new SecretAccessError(`${name ? `${name}: ` : ''}${firstLine(e)}`, hint);
    } finally {
      client.destroy();
    }
  }
}
