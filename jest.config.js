/**
 * Two projects: `unit` (in-process, fast: `npm run test:unit`) and `integration` (*.integration.test.ts:
 * real `cdk synth` of every environment, the CLI as a child process, moto server;
 * `npm run test:integration`). `npx jest` runs both. Tests are transpiled by SWC without
 * type-checking; `npm run typecheck` does that once.
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  snapshotFormat: { printBasicPrototype: false },
};

module.exports = {
  // Both cores: jest's default (cores - 1) leaves one idle on a 2-core machine.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.integration\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['**/*.integration.test.ts'] },
  ],
};
