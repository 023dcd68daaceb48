#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 / Ubuntu 24.04 host (run as root):
# apt packages that are missing, npm dependencies, the native init helper, the VM lab's image and
# the web UI.
# Usage: scripts/setup.sh [--tests]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-packages.sh

want=("${RUNTIME_PACKAGES[@]}")
[ "${1:-}" = "--tests" ] && want+=("${TEST_PACKAGES[@]}")

if [ "$(id -u)" != 0 ]; then
  echo "isoplay setup: run as root (the playground creates namespaces and cgroups): sudo $0 $*" >&2
  exit 1
fi

node_major=$(node -p 'process.versions.node.split(".").map(Number).slice(0,2).join(".")' 2>/dev/null || echo 0)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "isoplay setup: Node.js 20.19 or later is needed (found ${node_major}). Install it from your distribution or nodejs.org." >&2
  exit 1
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "isoplay setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "isoplay setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Per-learner kernel limits. Each sandbox's user namespace belongs to a uid of its own, so the host's
# per-user caps apply to each learner: lower the namespace caps to what a lab could ever need (never
# raise them). Writing them needs CAP_SYS_RESOURCE; `isoplay doctor` reports a host that withholds it.
for k in user.max_user_namespaces user.max_mnt_namespaces user.max_net_namespaces user.max_pid_namespaces \
         user.max_ipc_namespaces user.max_uts_namespaces user.max_cgroup_namespaces user.max_time_namespaces; do
  cur=$(sysctl -n "$k" 2>/dev/null) || continue
  if [ "$cur" -gt 2048 ] && ! sysctl -qw "$k=2048" 2>/dev/null; then
    echo "isoplay setup: could not lower $k from $cur to 2048 (no CAP_SYS_RESOURCE here); see npx isoplay doctor"
    break
  fi
done

bash scripts/build-native.sh
bash scripts/build-vm.sh
bash scripts/build-images.sh
if [ ! -f dist/web/index.html ] || [ -n "$(find web vite.config.ts server/protocol -newer dist/web/index.html -type f 2>/dev/null | head -1)" ]; then
  echo "isoplay setup: building the web UI"
  npx vite build --logLevel warn
fi
