// ESLint flat config (ESLint 9, typescript-eslint 8). `npm run lint` runs it through .ci/lint.
//
// ESLint's and typescript-eslint's recommended rules, and the layering of DESIGN.md with
// no-restricted-imports (the typescript-eslint version, which also sees `import x = require(...)`):
// - execa, child_process and koffi (system calls) only in agent/src/kernel/ (the one seam to the
//   kernel), and in test/, bench/ and tools/, which spawn agents, CLIs, `ip` and the lab themselves;
// - agent/src/domain/ is pure: no generated proto code, no execa, no gRPC runtime;
// - bench/ and tools/ (support code) use no agent internals: they run the agent from dist/ and talk
//   to it through the SDK or the generated client.
// In flat config a later block replaces a rule's options instead of merging them, so every block that
// sets the rule lists all the restrictions that apply to its files.
const js = require('@eslint/js');
const { defineConfig, globalIgnores } = require('eslint/config');
const tseslint = require('typescript-eslint');

const restrictedImports = '@typescript-eslint/no-restricted-imports';

const processSpawnPaths = [
  ...['execa', 'child_process', 'node:child_process'].map((name) => ({
    name,
    message: 'Processes are spawned only under agent/src/kernel/ (the LinkDriver seam); go through it.',
  })),
  {
    name: 'koffi',
    message: 'System calls (setns, netlink) are made only under agent/src/kernel/ (the LinkDriver seam).',
  },
];

const processSpawnPatterns = [
  {
    group: ['execa/*'],
    message: 'Processes are spawned only under agent/src/kernel/ (the LinkDriver seam); go through it.',
  },
];

const grpcRuntime =
  'agent/src/domain is pure: no gRPC runtime. Map domain errors to status codes in agent/src/api.';

const domainPaths = [{ name: 'nice-grpc', message: grpcRuntime }];

const domainPatterns = [
  {
    group: ['**/proto/gen/**', '**/proto/gen'],
    message:
      'agent/src/domain must not import generated proto code; convert proto <-> domain in agent/src/api.',
  },
  { group: ['nice-grpc-*', '@grpc/*'], message: grpcRuntime },
];

const supportPatterns = [
  {
    group: ['**/agent/src/**', '**/agent/src'],
    message:
      'bench/ and tools/ use no agent internals: they run the agent from dist/ and talk to it over gRPC.',
  },
];

module.exports = defineConfig([
  globalIgnores(['dist/', 'proto/gen/', 'node_modules/', 'coverage/', '.lab-state/']),
  {
    files: ['agent/src/**/*.ts', 'client/src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      'no-restricted-imports': 'off',
      [restrictedImports]: ['error', { paths: processSpawnPaths, patterns: processSpawnPatterns }],
    },
  },
  {
    files: ['agent/src/kernel/**/*.ts', 'test/**/*.ts'],
    rules: {
      [restrictedImports]: 'off',
    },
  },
  {
    files: ['bench/**/*.ts', 'tools/**/*.ts'],
    rules: {
      [restrictedImports]: ['error', { patterns: supportPatterns }],
    },
  },
  {
    files: ['agent/src/domain/**/*.ts'],
    rules: {
      [restrictedImports]: [
        'error',
        {
          paths: [...processSpawnPaths, ...domainPaths],
          patterns: [...processSpawnPatterns, ...domainPatterns],
        },
      ],
    },
  },
  {
    // Test files may use `any` for fixtures and partial fakes; everything else is strict.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
]);
