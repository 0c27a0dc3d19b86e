/**
 * Secret resolution through the official SDKs. The SDKs load only here, on --resolve-secrets, so the
 * command starts fast otherwise.
 */
import { ResolverFactory, SecretResolver } from './types';

export * from './types';

export const defaultResolverFactory: ResolverFactory = async (store, env): Promise<SecretResolver> => {
  switch (store) {
    case 'aws-secrets-manager':
      return new (await import('./aws')).AwsSecretsManagerResolver(env);
    case 'gcp-secret-manager':
      return new (await import('./gcp')).GcpSecretManagerResolver();
    case 'azure-key-vault':
      return new (await import('./azure')).AzureKeyVaultResolver();
  }
};
