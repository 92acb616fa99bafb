#!/usr/bin/env bash
# The one test command: sets up what the tests need (dependencies, the compiled binary,
# a Docker engine, base images, git servers), runs every test, and prints
# "N passed, N failed". Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p .test-env
bun install --frozen-lockfile >/dev/null
if [ -f scripts/test-env/setup.sh ]; then bash scripts/test-env/setup.sh; fi
bun run build >/dev/null

report=.test-env/junit.xml
rm -f "$report"
status=0
bun test --timeout 120000 --reporter=junit --reporter-outfile="$report" "$@" || status=$?
bun scripts/junit-summary.ts "$report" || status=1
exit "$status"
