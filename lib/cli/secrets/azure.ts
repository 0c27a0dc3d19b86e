import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { SecretRef } from '../../binding';
import { SecretResolver } from './types';

/** Azure Key Vault (`id` is the vault URL), DefaultAzureCredential. */
export class AzureKeyVaultResolver implements SecretResolver {
  async resolve(ref: SecretRef): Promise<string> {
    const client = new SecretClient(ref.id, new DefaultAzureCredential());
    const secret = await client.getSecret(ref.name);
    if (secret.value === undefined) throw new Error(`secret ${ref.name} has no value`);
    return secret.value;
  }
}
