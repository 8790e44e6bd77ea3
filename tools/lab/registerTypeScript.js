// A require hook that lets plain `node` load the lab's TypeScript without a build:
//   node -r ./tools/lab/registerTypeScript.js tools/lab/lab.ts -- ip -d link
// runJestInLab.ts uses it to run the lab CLI in a child process. Transpile only (like ts-jest with
// isolatedModules): types are checked by `tsc --noEmit` in `npm run lint`.
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
  sourceMap: false,
  inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
