/**
 * The unit tests of the TypeScript core scope (the config's rules, the output writer; see
 * scripts/mutation.sh): the same transform and setup as jest.config.js. Left out: the suites that
 * synthesize stacks or load the CDKTF providers (test/config/aws.test.ts builds CDK apps per example;
 * test/config/gcp and azure load test/terraform/fixtures) or drive the whole CLI,
 * which cover these lines too but cost a mutant tens of seconds each on two shared cores.
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
    '<rootDir>/test/rules-messages.test.ts',
    '<rootDir>/test/issues.test.ts',
    '<rootDir>/test/binding.test.ts',
    '<rootDir>/test/config/{errors,load,samples}.test.ts',
    '<rootDir>/test/airflow/validate.test.ts',
    '<rootDir>/test/cli/write.test.ts',
    '<rootDir>/test/cli/write-binary.test.ts',
  ],
  testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'],
};
