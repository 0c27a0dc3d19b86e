/** The permission tests (jest.permissions.config.js) with one list element removed (drop-permission.ts). */
const base = require('./jest.permissions.config.js');

module.exports = { ...base, setupFilesAfterEnv: [...(base.setupFilesAfterEnv ?? []), '<rootDir>/scripts/mutation/drop-permission.ts'] };
