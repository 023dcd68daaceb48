// The pure builder from a SandboxSpec (and a few host facts) to isoplay-init's argument list,
// bubblewrap style: parsing and deciding here, executing in the C helper. Unit-tested without a kernel.
import type { SandboxSpec } from '../spec.js';
import type { CgroupHandle } from '../cgroups/driver.js';
import type { CgroupHierarchy } from '../cgroups/detect.js';
import { hierarchyName } from '../cgroups/detect.js';
import { PROJECT_TOOLS_DIR, PROJECT_TOOLS_INSIDE, RO_BINDS, etcFiles } from '../rootfs/etc-files.js';

export interface HostFacts {
  mode: 'v1' | 'v2';
  /** Every cgroup hierarchy the host mounts (mounted again inside, rooted at the session). */
  hierarchies: CgroupHierarchy[];
}

/** `TYPE:OPTIONS:NAME` for each hierarchy, as the sandbox mounts them under /sys/fs/cgroup. */
export function cgroupMounts(facts: HostFacts): string[] {
  if (facts.mode === 'v2') return ['cgroup2::.'];
  return facts.hierarchies.map((h) => {
    if (h.version === 2) return `cgroup2::${hierarchyName(h)}`;
    const named = h.controllers.find((c) => c.startsWith('name='));
    const opts = named ? `none,${named}` : h.controllers.join(',');
    return `cgroup:${opts}:${hierarchyName(h)}`;
  });
}

export function buildCreateArgs(spec: SandboxSpec, cgroup: CgroupHandle, facts: HostFacts): string[] {
  const args = ['create', '--id', spec.id, '--hostname', spec.hostname, '--uid-base', String(spec.idBase),
    '--uid-count', String(spec.idCount), '--rootfs-bytes', String(spec.rootfsBytes)];
  // Join the session before clone so the child's cgroup namespace is rooted at the session.
  for (const f of cgroup.procsFiles) args.push('--join-procs', f);
  // v2: no process may stay in the session itself (no-internal-process rule), so init and its
  // monitor step into the leaf. On v1 the monitor simply stays in the session, which it belongs to:
  // it never touches a cgroup outside isoplay/.
  if (facts.mode === 'v2') {
    for (const f of cgroup.leafProcsFiles) args.push('--init-procs', f, '--return-procs', f);
  }
  for (const p of RO_BINDS) args.push('--ro-bind', p);
  args.push('--ro-bind', `${PROJECT_TOOLS_DIR}:${PROJECT_TOOLS_INSIDE}`);
  for (const b of spec.extraRoBinds ?? []) args.push('--ro-bind', b);
  for (const [p, content] of Object.entries(etcFiles(spec.hostname))) args.push('--file', `${p}=${content}`);
  for (const m of cgroupMounts(facts)) args.push('--cgroup-mount', m);
  return args;
}

export interface EnterArgsOptions {
  cwd?: string;
  env?: Record<string, string>;
  exitHandshake?: boolean;
}

export function buildEnterArgs(initPid: number, cgroup: CgroupHandle, argv: string[], opts: EnterArgsOptions = {}): string[] {
  const args = ['enter', '--pid', String(initPid)];
  for (const f of cgroup.leafProcsFiles) args.push('--join-procs', f);
  if (opts.cwd) args.push('--cwd', opts.cwd);
  if (opts.exitHandshake) args.push('--exit-handshake');
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`bad environment variable name ${JSON.stringify(k)}`);
    args.push('--env', `${k}=${v}`);
  }
  return [...args, '--', ...argv];
}

