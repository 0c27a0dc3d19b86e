import type { AuthClient } from 'google-auth-library';
import { SecretRef } from '../../binding';
import { firstLine, SECRET_TIMEOUT_MS, SecretAccessError, SecretResolver, withDeadline } from './types';

const LOGIN_HINT = 'log in with `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a key file), then retry';

export interface GcpResolverOptions {
  /** Secret Manager host (tests: 127.0.0.1). @default - the public endpoint */
  readonly apiEndpoint?: string;
  readonly port?: number;
  /** @default 'https' */
  readonly protocol?: 'http' | 'https';
  /** Credentials to use instead of Application Default Credentials (tests). */
  readonly authClient?: AuthClient;
  /** @default SECRET_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * GCP Secret Manager over its REST transport, Application Default Credentials; reads the latest
 * version. Credentials are looked up first, so a machine without them fails at once with a login
 * hint instead of inside the client (where the SDK also left an unhandled rejection behind).
 */
export class GcpSecretManagerResolver implements SecretResolver {
  constructor(private readonly options: GcpResolverOptions = {}) {}

  async resolve(ref: SecretRef): Promise<string> {
    const timeout = this.options.timeoutMs ?? SECRET_TIMEOUT_MS;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GoogleAuth } = require('google-auth-library') as typeof import('google-auth-library');
    let authClient: AuthClient;
    try {
      authClient =
        this.options.authClient ??
        (await withDeadline(new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getClient(), timeout, 'looking up Google credentials', LOGIN_HINT));
    } catch (e) {
      if (e instanceof SecretAccessError) throw e;
      throw new SecretAccessError(`no Google Application Default Credentials (${firstLine(e)})`, LOGIN_HINT);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SecretManagerServiceClient } = require('@google-cloud/secret-manager') as typeof import('@google-cloud/secret-manager');
    const client = new SecretManagerServiceClient({
      authClient,
      fallback: true, // REST: no gRPC channel to set up, and a plain HTTP endpoint can stand in for tests
      ...(this.options.apiEndpoint ? { apiEndpoint: this.options.apiEndpoint } : {}),
      ...(this.options.port ? { port: this.options.port } : {}),
      ...(this.options.protocol ? { protocol: this.options.protocol } : {}),
    });
    try {
      const call = client.accessSecretVersion({ name: `${ref.id}/versions/latest` }, { maxRetries: 0, timeout });
      const [version] = await withDeadline(call, timeout, `GCP Secret Manager (${ref.id})`, 'check the network and the secret id');
      const data = version.payload?.data;
      if (data === undefined || data === null) throw new SecretAccessError(`secret ${ref.name} has no payload`, 'check that the stack wrote a version of it');
      return typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data).toString('utf8');
    } catch (e) {
      if (e instanceof SecretAccessError) throw e;
      const code = (e as { code?: number }).code;
      const hint =
        code === 7 || code === 403 ? 'the credentials lack roles/secretmanager.secretAccessor on the secret (see the deploy checklist)' :
        code === 16 || code === 401 ? LOGIN_HINT :
        code === 5 || code === 404 ? 'the secret does not exist: deploy the stack first, or check the project' :
        'check the network, your credentials and the secret id';
      throw new SecretAccessError(firstLine(e), hint);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}
