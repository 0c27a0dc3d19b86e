import { SecretRef } from '../../binding';

/** Reads the current value of a stored secret. One implementation per store; tests inject fakes. */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

export type ResolverFactory = (store: SecretRef['store'], env: NodeJS.ProcessEnv) => Promise<SecretResolver>;
