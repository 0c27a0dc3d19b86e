/** The tests of the formats scope: the renderers, the hostile-binding fuzz test and the golden files (every format of every fixture). */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/airflow/**/*.test.ts',
    '<rootDir>/test/cli/golden.test.ts',
  ],
};
