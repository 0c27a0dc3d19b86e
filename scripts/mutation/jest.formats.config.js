/** The tests of the formats scope: the renderers, the hostile-binding fuzz test, the CLI's outputs and the golden files. */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/airflow/**/*.test.ts',
    '<rootDir>/test/cli/golden.test.ts',
    '<rootDir>/test/cli/cli.test.ts',
    '<rootDir>/test/cli/sensitive.test.ts',
  ],
};
