/**
 * The unit tests that cover the mutation scopes (see scripts/mutation.sh): the same transform and
 * setup as jest.config.js, without the slow synth and integration suites that test none of them.
 */
const base = require('../../jest.config.js');
const { displayName, testPathIgnorePatterns, ...common } = base.projects[0];

module.exports = {
  ...common,
  rootDir: '../..',
  // Two shared cores run the mutants: the default 5 s per test is too tight for the property tests.
  testTimeout: 60_000,
  testMatch: [
    '<rootDir>/test/config/**/*.test.ts',
    '<rootDir>/test/airflow/**/*.test.ts',
    '<rootDir>/test/cli/*.test.ts',
    '<rootDir>/test/*.test.ts',
    '<rootDir>/test/aws/access-policy.test.ts',
    '<rootDir>/test/aws/least-privilege.test.ts',
    '<rootDir>/test/gcp/iam.test.ts',
  ],
  // docs.test.ts checks the repository around the sources (node_modules/.bin), which a sandbox does not mirror.
  testPathIgnorePatterns: ['\\.integration\\.test\\.ts$', '/test/docs\\.test\\.ts$'],
};
