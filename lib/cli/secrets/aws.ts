import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretRef } from '../../binding';
import { SecretResolver } from './types';

/** AWS Secrets Manager, credentials from the default chain; region from the secret ARN. */
export class AwsSecretsManagerResolver implements SecretResolver {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async resolve(ref: SecretRef): Promise<string> {
    const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(ref.id)?.[1] ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
    const endpoint = this.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? this.env.AWS_ENDPOINT_URL;
    const client = new SecretsManagerClient({ region, ...(endpoint ? { endpoint } : {}) });
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: ref.id }));
      if (out.SecretString === undefined) throw new Error(`secret ${ref.name} has no string value`);
      return out.SecretString;
    } finally {
      client.destroy();
    }
  }
}
