#!/usr/bin/env bash
# Compiles the sandbox init helper (server/sandbox/init/isoplay-init.c) into build/isoplay-init,
# and exports its compiled syscall filter to build/isoplay-seccomp.bpf.
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
# The syscall filter, compiled once (isoplay-init loads these bytes instead of compiling its rules
# on every entry); written after the binary, so a binary rebuilt alone ignores an older one.
bpf=build/isoplay-seccomp.bpf
if [ ! -s "$bpf" ] || [ "$out" -nt "$bpf" ]; then
  "$out" export-filter > "$bpf.tmp"
  mv "$bpf.tmp" "$bpf"
fi
