/**
 * The unit tests of the TypeScript core scope (the config's rules, the output writer; see
 * scripts/mutation.sh): the same transform and setup as jest.config.js, without the suites that
 * synthesize stacks at load time, which each mutant would pay for without testing the scope.
 */
const base = require('../../jest.config.js');
const { displayName, testPathIgnorePatterns, ...common } = base.projects[0];

module.exports = {
  ...common,
  rootDir: '../..',
  // Two shared cores run the mutants: the default 5 s per test is too tight for the property tests.
  testTimeout: 60_000,
  testMatch: [
    '<rootDir>/test/rules.test.ts',
    '<rootDir>/test/issues.test.ts',
    '<rootDir>/test/binding.test.ts',
    '<rootDir>/test/config/*.test.ts',
    '<rootDir>/test/airflow/validate.test.ts',
    '<rootDir>/test/cli/write.test.ts',
    '<rootDir>/test/cli/write-binary.test.ts',
    '<rootDir>/test/cli/input.test.ts',
    '<rootDir>/test/cli/cli.test.ts',
  ],
  testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'],
};
