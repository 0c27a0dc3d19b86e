import { ConfigError, parseConfig } from '../../lib/config';

/** Parses an environments document that must be refused and returns the ConfigError's problems. */
export function configProblems(document: unknown, source?: string): string[] {
  try {
    parseConfig(document, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}
