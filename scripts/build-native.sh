#!/usr/bin/env bash
# Compiles the sandbox init helper (server/sandbox/init/isoplay-init.c) into build/isoplay-init.
# Rebuilds only when the source is newer than the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
src=server/sandbox/init/isoplay-init.c
out=build/isoplay-init
if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
  mkdir -p build
  cc -O2 -Wall -Wextra -Wno-unused-parameter -o "$out.tmp" "$src" -lseccomp
  mv "$out.tmp" "$out"
fi
