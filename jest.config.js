// Jest 29 with ts-jest, transpiling only: types are checked by `tsc --noEmit` in `npm run lint`.
// Three projects: `unit` (in-memory kernel, runs anywhere), `integration` (real network namespaces
// on this machine's kernel, needs root), `lab` (test/lab: tests that boot the user-mode Linux lab of
// tools/lab/, and the tests of that runner); `npx jest --selectProjects unit` runs one of them.
// globalSetup/globalTeardown remove the test namespaces (prefix mvt-) that a crashed run left.

/** ts-jest's `isolatedModules: true`, spelled as ts-jest 29.4 wants it (the option itself is deprecated). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }] };

const project = (name, dir) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${dir}/**/*.test.ts`],
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [project('unit', 'unit'), project('integration', 'integration'), project('lab', 'lab')],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 30000,
};
