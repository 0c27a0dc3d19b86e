/** The tests that pin the permission lists: policy snapshots, the IAM simulator matrix, the GCS grant evaluation. */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/aws/access-policy.test.ts', '<rootDir>/test/aws/least-privilege.test.ts', '<rootDir>/test/gcp/iam.test.ts'],
};
