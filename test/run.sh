#!/usr/bin/env bash
# What `npm test` runs: system packages, a build (integration tests spawn the agent and the CLI from
# dist/), then jest with the projects of jest.config.js. Extra arguments go to jest, e.g.
#   npm test -- --selectProjects unit
#   npm test -- -t 'keeps eth0.10'
# The last line is always `N passed, N failed` (tests, from jest's JSON report), for CI to read.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash test/ensure-deps.sh
npm run build

report=$(mktemp "${TMPDIR:-/tmp}/mvnet-jest.XXXXXX.json")
trap 'rm -f "$report"' EXIT

status=0
# --forceExit: a stray handle (a child process of an agent under test) must not hang CI for its 90 minutes;
# namespaces are still removed by globalTeardown, and agents are killed by process group.
npx --no-install jest --ci --forceExit --json --outputFile="$report" "$@" || status=$?

# A suite that fails to load (a syntax or import error) counts no failed test: say so, so that
# "0 failed" next to a non-zero exit status is not mistaken for success.
if ! node -e '
  const fs = require("fs");
  const text = fs.readFileSync(process.argv[1], "utf8");
  if (text.trim() === "") process.exit(1);
  const r = JSON.parse(text);
  if (r.numRuntimeErrorTestSuites > 0) console.log(`${r.numRuntimeErrorTestSuites} test suite(s) failed to run`);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$report"; then
  echo 'jest wrote no results'
  echo '0 passed, 0 failed'
fi
exit "$status"
