// Jest config for the tests that run INSIDE a lab instance (user-mode Linux): test/lab/**/*.labtest.ts.
// runJestInLab.ts boots an instance and runs jest with this config there; an outer test file
// (test/lab/*.test.ts, the "lab" project of jest.config.js, through describeInLab) turns the results
// into its own tests.
// Run by hand:  node dist/tools/lab/lab.js -- /usr/bin/node node_modules/jest/bin/jest.js \
//                 --config tools/lab/jest.lab.config.js test/lab/kernel.labtest.ts
// No globalSetup: the lab's kernel is new at every boot, there is nothing left over to clean.
const path = require('node:path');

/** Transpile only, as ts-jest with isolatedModules in jest.config.js, but quicker to start: see there. */
const transform = { '^.+\\.ts$': path.join(__dirname, 'labTransform.js') };

// Inside the lab the root is read-only and /tmp is new at every boot: keep jest's cache (ts-jest's
// transpiled files and the haste map) in the state dir, so a second run skips the transpiling.
const stateDir = process.env.MVNET_LAB_STATE;

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.join(__dirname, '../..'),
  // Only test/lab is crawled: the haste map of the whole repository (node_modules included) costs
  // seconds over hostfs on the lab's one slow CPU. Imports from elsewhere resolve as usual.
  roots: ['<rootDir>/test/lab'],
  testMatch: ['<rootDir>/test/lab/**/*.labtest.ts'],
  testEnvironment: 'node',
  transform,
  setupFiles: ['<rootDir>/test/lab/assertInsideLab.ts'],
  watchman: false,
  testTimeout: 60000,
  ...(stateDir ? { cacheDirectory: path.join(stateDir, '.lab', 'jest-cache') } : {}),
};
