/**
 * The tests that pin the permission lists: the AWS policy and the IAM simulator matrix, the GCS grant
 * evaluation, the Azure role against the adlfs requests (ABAC evaluation), and the exported deny lists.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/aws/access-policy.test.ts',
    '<rootDir>/test/aws/least-privilege.test.ts',
    '<rootDir>/test/gcp/iam.test.ts',
    '<rootDir>/test/gcp/permissions.test.ts',
    '<rootDir>/test/azure/abac.test.ts',
    '<rootDir>/test/azure/permissions.test.ts',
  ],
};
