/** The exit code both synth apps (CDK and CDKTF) use for a configuration they cannot build. */
export const CONFIG_ERROR_EXIT_CODE = 1;

/** Every problem found in the environments file (or in choosing from it), reported at once. */
export class ConfigError extends Error {
  constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
    /** What went wrong, before the file name. @default 'Invalid configuration in' */
    heading = 'Invalid configuration in',
  ) {
    super(`${heading} ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// One describer for every document the kit validates (lib/issues.ts): the config's errors read like the binding's.
export { describeIssues, knownFields } from '../issues';
