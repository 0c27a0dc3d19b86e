/**
 * The tests of the formats scope: the renderers read back by real parsers, the hostile-binding fuzz
 * test, the k8s writer's tests. Not the golden files (test/cli/golden.test.ts drives the whole CLI for
 * every format of every fixture, tens of seconds per mutant here), although it pins their full text.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/airflow/**/*.test.ts',
  ],
};
