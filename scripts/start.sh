#!/usr/bin/env bash
# The one command that starts the playground on a fresh host: set-up, then the server.
# Flags go to the server: scripts/start.sh --port 9000 --host 0.0.0.0
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/tsx server/main.ts "$@"
