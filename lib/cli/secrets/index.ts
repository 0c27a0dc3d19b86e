/**
 * Secret resolution through the official SDKs. The SDKs load only here, on --resolve-secrets, so the
 * command starts fast otherwise.
 */
import { ResolverFactory, SecretResolver } from './types';

export * from './types';

// require() keeps each SDK unloaded until its store is used (the launcher hooks CommonJS, not import()).
/* eslint-disable @typescript-eslint/no-require-imports */
export const defaultResolverFactory: ResolverFactory = async (store, env): Promise<SecretResolver> => {
  switch (store) {
    case 'aws-secrets-manager':
      return new (require('./aws') as typeof import('./aws')).AwsSecretsManagerResolver(env);
    case 'gcp-secret-manager':
      return new (require('./gcp') as typeof import('./gcp')).GcpSecretManagerResolver();
    case 'azure-key-vault':
      return new (require('./azure') as typeof import('./azure')).AzureKeyVaultResolver();
  }
};
