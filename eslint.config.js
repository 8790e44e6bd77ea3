// ESLint flat config (ESLint 9, typescript-eslint 8). `npm run lint` runs it through .ci/lint.
//
// ESLint's and typescript-eslint's recommended rules, and the layering of DESIGN.md (eslint.layers.js)
// with no-restricted-imports (the typescript-eslint version, which also sees `import x = require(...)`
// and type-only imports). In flat config a later block replaces a rule's options instead of merging
// them, so each layer's block lists every restriction that applies to its files.
// bench/, tools/ (support code) and examples/ use no agent internals: they run the agent from dist/
// and talk to it through the SDK or the generated client.
const js = require('@eslint/js');
const { defineConfig, globalIgnores } = require('eslint/config');
const tseslint = require('typescript-eslint');
const { layers } = require('./eslint.layers');

const restrictedImports = '@typescript-eslint/no-restricted-imports';

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
    files: [
      'agent/src/**/*.ts',
      'client/src/**/*.ts',
      'common/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'tools/**/*.ts',
      'examples/**/*.ts',
    ],
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
    },
  },
  ...layers.map(({ files, paths, patterns }) => ({
    files,
    rules: { [restrictedImports]: ['error', { paths, patterns }] },
  })),
  {
    files: ['bench/**/*.ts', 'tools/**/*.ts', 'examples/**/*.ts'],
    ignores: ['bench/fleet/simulatedHostsProcess.ts'],
    rules: { [restrictedImports]: ['error', { patterns: supportPatterns }] },
  },
  // The one exception: the fleet benchmark's simulated hosts, many real agents (startAgent) on the
  // in-memory kernel in one process, since 1,000 agent processes would not fit in memory.
  {
    files: ['bench/fleet/simulatedHostsProcess.ts'],
    rules: {
      [restrictedImports]: [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)agent/src/(?!startAgent$|kernel/memory/MemoryDriver$)',
              message:
                'bench/fleet/simulatedHostsProcess.ts uses startAgent and the MemoryDriver, nothing else of the agent.',
            },
          ],
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
