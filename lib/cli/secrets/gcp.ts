import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { SecretRef } from '../../binding';
import { SecretResolver } from './types';

/** GCP Secret Manager, Application Default Credentials; reads the latest version. */
export class GcpSecretManagerResolver implements SecretResolver {
  async resolve(ref: SecretRef): Promise<string> {
    const client = new SecretManagerServiceClient();
    try {
      const [version] = await client.accessSecretVersion({ name: `${ref.id}/versions/latest` });
      const data = version.payload?.data;
      if (data === undefined || data === null) throw new Error(`secret ${ref.name} has no payload`);
      return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    } finally {
      await client.close();
    }
  }
}
