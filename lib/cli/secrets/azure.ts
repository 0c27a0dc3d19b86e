import type { TokenCredential } from '@azure/core-auth';
import { SecretRef } from '../../binding';
import { firstLine, SECRET_TIMEOUT_MS, SecretAccessError, SecretResolver, withDeadline } from './types';

const LOGIN_HINT = 'log in with `az login` (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET / a workload identity), then retry';
const VAULT_SCOPE = 'https://vault.azure.net/.default';

export interface AzureResolverOptions {
  /** Credential to use instead of DefaultAzureCredential (tests). */
  readonly credential?: TokenCredential;
  /** @default SECRET_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Accept a challenge from a host other than *.vault.azure.net, over plain HTTP (tests against a local endpoint only). @default false */
  readonly localEndpoint?: boolean;
}

/**
 * Azure Key Vault (`id` is the vault URL), DefaultAzureCredential. A token is requested first, so
 * missing credentials fail at once with a login hint; the vault call makes one attempt, not the
 * SDK's retries (an unresolvable vault name took 6 s to fail).
 */
export class AzureKeyVaultResolver implements SecretResolver {
  constructor(private readonly options: AzureResolverOptions = {}) {}

  async resolve(ref: SecretRef): Promise<string> {
    const timeout = this.options.timeoutMs ?? SECRET_TIMEOUT_MS;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const credential = this.options.credential ?? new (require('@azure/identity') as typeof import('@azure/identity')).DefaultAzureCredential();
    try {
      const token = await withDeadline(credential.getToken(VAULT_SCOPE), timeout, 'looking up Azure credentials', LOGIN_HINT);
      if (!token) throw new Error('no token');
    } catch (e) {
      if (e instanceof SecretAccessError) throw e;
      throw new SecretAccessError(`no Azure credentials (${firstLine(e)})`, LOGIN_HINT);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SecretClient } = require('@azure/keyvault-secrets') as typeof import('@azure/keyvault-secrets');
    const client = new SecretClient(ref.id, credential, {
      retryOptions: { maxRetries: 0 },
      disableChallengeResourceVerification: this.options.localEndpoint === true,
      allowInsecureConnection: this.options.localEndpoint === true,
    });
    try {
      const secret = await withDeadline(client.getSecret(ref.name, { requestOptions: { timeout } }), timeout, `Azure Key Vault ${ref.id}`, 'check the vault URL and the network');
      if (secret.value === undefined) throw new SecretAccessError(`secret ${ref.name} has no value`, 'check that the stack wrote it');
      return secret.value;
    } catch (e) {
      if (e instanceof SecretAccessError) throw e;
      const err = e as { statusCode?: number; code?: string };
      const hint =
        err.statusCode === 403 ? 'the credentials lack the "Key Vault Secrets User" role on the secret (see the deploy checklist)' :
        err.statusCode === 401 ? LOGIN_HINT :
        err.statusCode === 404 ? 'the secret does not exist: deploy the stack first, or check the vault' :
        err.code === 'ENOTFOUND' ? `the vault host of ${ref.id} does not resolve: check the vault URL in the deploy outputs` :
        'check the vault URL, the network and your credentials';
      throw new SecretAccessError(firstLine(e), hint);
    }
  }
}
