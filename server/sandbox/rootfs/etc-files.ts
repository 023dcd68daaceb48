// The curated /etc of every sandbox: just enough for bash, ps, ip and the cgroup tools, plus a
// friendly prompt and a first hint for a learner who has never typed `unshare`.

import { fileURLToPath } from 'node:url';

/** Host paths bound read-only at the same path inside (skipped where the host lacks them). */
export const RO_BINDS = [
  '/etc/alternatives', // Debian's /usr/bin/awk, editor, pager ... point through here
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/iproute2',
  '/etc/terminfo',
  '/etc/inputrc',
  '/etc/localtime',
  '/etc/os-release',
  '/etc/debian_version',
  '/etc/services',
  '/etc/protocols',
] as const;

/** The project's own read-only tools inside every sandbox (`isoplay-vm` and its VM image), built by
 * scripts/build-vm.sh; skipped when the set-up did not build them. */
export const PROJECT_TOOLS_DIR = fileURLToPath(new URL('../../../build/vm', import.meta.url));
export const PROJECT_TOOLS_INSIDE = '/opt/isoplay';

/** The labs' read-only images (scripts/build-images.sh), each bound at /images/<name> when built. */
export const IMAGES_DIR = fileURLToPath(new URL('../../../build/images', import.meta.url));
export const IMAGES_INSIDE = '/images';
export const IMAGES = ['busybox', 'debian', 'busybox.tar'] as const;
/** A host-root-owned /etc/shadow (mode 0600): root inside cannot read a file whose owner it does not map. */
export const UNMAPPED_SHADOW = 'shadow';

export function etcFiles(hostname: string): Record<string, string> {
  return {
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
    '/etc/group': 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n',
    '/etc/hostname': `${hostname}\n`,
    '/etc/hosts': `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    // Subordinate ids for nested user namespaces (`unshare --map-auto`, newuidmap): all within the
    // sandbox's own map (0..65536), so a nested namespace can never name a host id.
    '/etc/subuid': 'root:1:65536\n',
    '/etc/subgid': 'root:1:65536\n',
    '/etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
    // Replaced by the sandbox's "internet" when it has one (server/sandbox/world.ts).
    '/etc/resolv.conf': '# No DNS: this sandbox has no "internet" (see isoplay --world).\n',
    '/etc/profile': [
      'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/isoplay/bin',
      '[ -n "$BASH_VERSION" ] && [ -f /etc/bash.bashrc ] && . /etc/bash.bashrc',
      '',
    ].join('\n'),
    '/etc/bash.bashrc': [
      '[ -z "$PS1" ] && return',
      '# A prompt the learner gave (PS1=\'ns> \' unshare ... bash) is kept; bash\'s default is replaced.',
      "case \"$PS1\" in '\\s-\\v\\$ '|'') PS1='\\[\\e[1;32m\\]root@\\h\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]# ' ;; esac",
      "alias ls='ls --color=auto' ll='ls -l --color=auto' grep='grep --color=auto'",
      'HISTSIZE=2000',
      "# Each command is in the shell's own history file at once (a workshop's instructor may export it per step).",
      'PROMPT_COMMAND="history -a${PROMPT_COMMAND:+; $PROMPT_COMMAND}"',
      'if [ -z "$ISOPLAY_QUIET" ] && [ "$SHLVL" = 1 ]; then',
      "  printf '\\e[2mYou are root in a sandbox on the host kernel (%s). Try: ps -ef, hostname, ip link, cat /proc/self/cgroup\\e[0m\\n' \"$(uname -r)\"",
      'fi',
      '',
    ].join('\n'),
  };
}
