// `isoplay doctor`: what this host offers and what each part of the playground needs. Each missing
// piece is named with the command that fixes it. Also run at server start-up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectCgroups } from './sandbox/cgroups/detect.js';
import { INIT_BIN } from './sandbox/runtime.js';
import { IMAGES, IMAGES_DIR } from './sandbox/rootfs/etc-files.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Without it the playground cannot run at all (exit non-zero), rather than lose a feature. */
  required: boolean;
}

export interface HostProbe {
  uid: number;
  kernel: string;
  mountinfo: string;
  readFile(p: string): string | undefined;
  exists(p: string): boolean;
  which(bin: string): boolean;
  /** Makes and removes a directory (the cgroupfs write test); returns the error's message, if any. */
  tryMkdir?(dir: string): string | undefined;
}

export function realHost(): HostProbe {
  const PATHS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return {
    uid: process.getuid?.() ?? -1,
    kernel: os.release(),
    mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'),
    readFile: (p) => {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: (p) => fs.existsSync(p),
    which: (bin) => PATHS.some((d) => fs.existsSync(path.join(d, bin))),
    tryMkdir: (dir) => {
      try {
        fs.mkdirSync(dir);
        fs.rmdirSync(dir);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  };
}

/** What set-up lowers user.max_*_namespaces to: plenty for nested labs, little for an exhaustion attack. */
export const PER_LEARNER_NAMESPACES = 2048;

const BINARIES: [string, string][] = [
  ['bash', 'bash'], ['unshare', 'util-linux'], ['nsenter', 'util-linux'], ['mount', 'mount'], ['ip', 'iproute2'],
  ['ps', 'procps'], ['cgcreate', 'cgroup-tools'], ['cgexec', 'cgroup-tools'], ['cgclassify', 'cgroup-tools'], ['ping', 'iputils-ping'],
];

export function diagnose(h: HostProbe): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  checks.push({ name: 'root', ok: h.uid === 0, required: true, detail: h.uid === 0 ? 'running as root' : `running as uid ${h.uid}`, fix: 'run the server as root (sudo npm start)' });
  checks.push({ name: 'kernel', ok: true, required: false, detail: `Linux ${h.kernel}` });
  const layout = detectCgroups(h.mountinfo);
  const where = (c: string) => layout.hierarchies.find((x) => x.version === 1 && x.controllers.includes(c));
  if (layout.mode === 'v2') {
    const ctl = (h.readFile(path.join(layout.unified!.mountPoint, 'cgroup.subtree_control')) ?? '').trim().split(/\s+/);
    const missing = ['memory', 'pids', 'cpu'].filter((c) => !ctl.includes(c));
    checks.push({
      name: 'cgroups', ok: missing.length === 0, required: true,
      detail: `cgroup v2 at ${layout.unified!.mountPoint}; delegated controllers: ${ctl.join(' ') || 'none'}`,
      fix: missing.length ? `echo "+${missing.join(' +')}" > ${layout.unified!.mountPoint}/cgroup.subtree_control` : undefined,
    });
  } else {
    const missing = ['memory', 'pids', 'cpu'].filter((c) => !where(c));
    checks.push({
      name: 'cgroups', ok: missing.length === 0, required: true,
      detail: `cgroup ${layout.mode}: ${layout.hierarchies.map((x) => `${x.mountPoint} (${x.version === 2 ? 'v2' : x.controllers.join(',')})`).join(', ')}`,
      fix: missing.length ? `mount the ${missing.join(', ')} controller(s), e.g. mount -t cgroup -o ${missing[0]} none /sys/fs/cgroup/${missing[0]}` : undefined,
    });
    const mem = where('memory');
    if (mem) {
      const memsw = h.exists(path.join(mem.mountPoint, 'memory.memsw.limit_in_bytes'));
      checks.push({ name: 'swap accounting', ok: memsw, required: false, detail: memsw ? 'memsw present: swap is limited too' : 'no memsw: with swap enabled a learner could swap past the memory limit', fix: memsw ? undefined : 'boot with swapaccount=1, or run without swap' });
    }
  }
  // The server makes a cgroup per sandbox: a read-only cgroupfs (a container without a writable
  // /sys/fs/cgroup, e.g. docker run without --privileged or --cgroupns=host) makes none.
  const cgroupDir = layout.mode === 'v2' ? layout.unified?.mountPoint : where('memory')?.mountPoint;
  if (cgroupDir && h.tryMkdir) {
    const err = h.tryMkdir(path.join(cgroupDir, `isoplay-doctor-${process.pid}`));
    checks.push({
      name: 'cgroupfs writable', ok: !err, required: true,
      detail: err ? `cannot make a cgroup under ${cgroupDir}: ${err}` : `a cgroup can be made under ${cgroupDir}`,
      fix: err ? 'give the server a writable cgroupfs: run it as root on the host, or in a container with --privileged --cgroupns=host (or -v /sys/fs/cgroup:/sys/fs/cgroup:rw)' : undefined,
    });
  }
  const maxUserNs = Number(h.readFile('/proc/sys/user/max_user_namespaces') ?? '0');
  checks.push({ name: 'user namespaces', ok: maxUserNs > 0, required: true, detail: `user.max_user_namespaces = ${maxUserNs}`, fix: 'sysctl -w user.max_user_namespaces=65536' });
  // Each sandbox's user namespace is created by the session's own unprivileged host uid (so the
  // kernel's per-user counters charge that learner): whatever restricts unprivileged user
  // namespaces restricts the playground.
  const debianUserns = h.readFile('/proc/sys/kernel/unprivileged_userns_clone');
  if (debianUserns !== undefined) {
    const on = debianUserns.trim() !== '0';
    checks.push({ name: 'unprivileged user namespaces', ok: on, required: true, detail: `kernel.unprivileged_userns_clone = ${debianUserns.trim()}${on ? '' : ': sandboxes are created by unprivileged uids and would be refused'}`, fix: on ? undefined : 'sysctl -w kernel.unprivileged_userns_clone=1' });
  }
  const apparmor = h.readFile('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  if (apparmor !== undefined) {
    const restricted = apparmor.trim() === '1';
    // deploy/apparmor/isoplay-init (installed by deploy/install.sh) lets the helper and every
    // process it starts create user namespaces although the sysctl restricts everyone else.
    const profiled = /^isoplay-init \(/m.test(h.readFile('/sys/kernel/security/apparmor/profiles') ?? '');
    checks.push({
      name: 'AppArmor userns restriction', ok: !restricted || profiled, required: true,
      detail: `kernel.apparmor_restrict_unprivileged_userns = ${apparmor.trim()}${
        !restricted ? ' (not restricted)' : profiled ? ': restricted, and the isoplay-init AppArmor profile (loaded) allows the sandboxes\' user namespaces' : ': AppArmor refuses the user namespaces that sandboxes (created as unprivileged uids) and learners\' nested containers need'}`,
      fix: restricted && !profiled ? 'install and load deploy/apparmor/isoplay-init (deploy/install.sh does), or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' : undefined,
    });
  }
  // The host's per-user limits cap each learner (each is a uid of its own); set-up lowers the
  // namespace caps where the host lets it.
  const perUser = ['user/max_user_namespaces', 'user/max_net_namespaces', 'user/max_mnt_namespaces', 'fs/inotify/max_user_instances', 'fs/inotify/max_user_watches']
    .map((k) => [k.replace(/\//g, '.'), Number(h.readFile(`/proc/sys/${k}`) ?? NaN)] as const);
  const high = perUser.filter(([k, v]) => k.startsWith('user.') && v > PER_LEARNER_NAMESPACES);
  checks.push({
    name: 'per-learner kernel limits', ok: high.length === 0, required: false,
    detail: `${perUser.map(([k, v]) => `${k}=${v}`).join(' ')}: each applies to each learner${high.length ? `; ${high.map(([k]) => k).join(', ')} above ${PER_LEARNER_NAMESPACES} let one learner hold that many` : ''}`,
    fix: high.length ? `${high.map(([k]) => `sysctl -w ${k}=${PER_LEARNER_NAMESPACES}`).join('; ')} (scripts/setup.sh does this where the host allows it; it needs CAP_SYS_RESOURCE)` : undefined,
  });
  checks.push({ name: 'subordinate ids', ok: true, required: false, detail: 'not needed on the host: the server writes each sandbox\'s uid_map itself (inside, /etc/subuid covers nested namespaces)' });
  const pvm = h.exists('/sys/module/kvm_pvm');
  const kvm = h.exists('/dev/kvm') && !pvm && (h.exists('/sys/module/kvm_intel') || h.exists('/sys/module/kvm_amd'));
  checks.push({ name: 'KVM', ok: true, required: false, detail: kvm ? 'hardware KVM: VMs run at full speed' : pvm ? '/dev/kvm is kvm_pvm (software nested): VMs run under TCG, 12-18x slower' : 'no KVM: VMs run under TCG emulation' });
  for (const [bin, pkg] of BINARIES) {
    const ok = h.which(bin);
    checks.push({ name: bin, ok, required: true, detail: ok ? 'found' : 'missing', fix: ok ? undefined : `apt-get install -y ${pkg}` });
  }
  const init = h.exists(INIT_BIN);
  checks.push({ name: 'isoplay-init', ok: init, required: true, detail: init ? INIT_BIN : 'not built', fix: 'bash scripts/build-native.sh (needs build-essential)' });
  // What the labs use without needing it to start: a missing piece costs a lab step, not the playground.
  const images = IMAGES.filter((i) => !h.exists(path.join(IMAGES_DIR, i)));
  checks.push({ name: 'lab images', ok: images.length === 0, required: false, detail: images.length ? `not built: ${images.join(', ')} (the labs that enter an image cannot)` : `${IMAGES.join(', ')} at /images in every sandbox`, fix: images.length ? 'bash scripts/build-images.sh' : undefined });
  const dns = h.which('dnsmasq');
  checks.push({ name: 'sandbox internet DNS', ok: dns, required: false, detail: dns ? 'dnsmasq found: each sandbox\'s internet resolves www.example.test' : 'dnsmasq missing: each sandbox\'s internet has a web server but names come from /etc/hosts', fix: dns ? undefined : 'apt-get install -y dnsmasq-base' });
  return checks;
}

export function formatChecks(checks: DoctorCheck[]): string {
  return checks
    .map((c) => `${c.ok ? ' ok ' : c.required ? 'FAIL' : 'warn'}  ${c.name.padEnd(28)} ${c.detail}${!c.ok && c.fix ? `\n      fix: ${c.fix}` : ''}`)
    .join('\n');
}

export function doctorMain(h: HostProbe = realHost()): number {
  const checks = diagnose(h);
  process.stdout.write(`Isolation Playground doctor\n${formatChecks(checks)}\n`);
  const bad = checks.filter((c) => c.required && !c.ok);
  process.stdout.write(bad.length ? `\nThe playground cannot run here: ${bad.map((c) => c.name).join(', ')}.\n` : '\nThis host can run the playground.\n');
  return bad.length ? 1 : 0;
}
