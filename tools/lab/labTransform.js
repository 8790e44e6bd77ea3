// Jest transformer for the tests that run inside the lab (jest.lab.config.js): TypeScript to
// CommonJS, transpile only, like ts-jest with isolatedModules (types come from `tsc --noEmit`).
//
// Why not ts-jest: it loads the `typescript` package before every run, which takes ~3.5 s on the
// lab's slow CPU, even when jest's cache already holds every file. This transformer computes its
// cache key without TypeScript and loads it only when a file must really be transpiled, so a run on
// a warm cache (the state dir keeps it) never loads it.
//
// Unlike ts-jest it does not hoist `jest.mock()` calls above the imports: lab tests use the real
// kernel, not mocks.
const crypto = require('node:crypto');
const fs = require('node:fs');

const COMPILER_OPTIONS = {
  module: 'commonjs',
  target: 'es2022',
  esModuleInterop: true,
  resolveJsonModule: true,
  sourceMap: true,
  inlineSources: true,
};

/** The TypeScript version is part of the key without loading TypeScript: its package.json says it. */
function typescriptVersion() {
  const manifest = require.resolve('typescript/package.json');
  return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
}

const KEY_BASE = JSON.stringify({ transformer: 1, typescript: typescriptVersion(), COMPILER_OPTIONS });

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return crypto.createHash('sha256').update(KEY_BASE).update(sourcePath).update(sourceText).digest('hex');
  },

  process(sourceText, sourcePath) {
    const ts = require('typescript');
    const { options } = ts.convertCompilerOptionsFromJson(COMPILER_OPTIONS, '/');
    const result = ts.transpileModule(sourceText, { compilerOptions: options, fileName: sourcePath });
    return { code: result.outputText, map: result.sourceMapText };
  },
};
