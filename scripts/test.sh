#!/usr/bin/env bash
# The one test command: sets up what the tests need (dependencies, the compiled binary,
# a Docker engine, base images, git servers), runs both lanes (scripts/run-tests.ts) and
# prints "N passed, N failed". Exits non-zero when any test fails or a file fails to load.
# Arguments are passed on: file filters, or --workers N.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p .test-env
bun install --frozen-lockfile >/dev/null
if [ -f scripts/test-env/setup.sh ]; then bash scripts/test-env/setup.sh; fi
bun run build >/dev/null

exec bun scripts/run-tests.ts all "$@"
