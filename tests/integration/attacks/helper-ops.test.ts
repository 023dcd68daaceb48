// Attack the sandbox helper with hostile setup operations (as a bug in the builder, or anyone who can
// reach its stdin, would send): every malformed list is refused before anything is made, with a
// message naming the operation, and nothing is left. The TypeScript builder is tested on exact
// output in tests/unit/sandbox-args.test.ts; this side holds the C half of the contract.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encodeOps, type SetupOp } from '../../../server/sandbox/init/ops.js';
import { EXIT_HELPER, INIT_BIN } from '../../../server/sandbox/runtime.js';
import { runCommand } from '../../../server/sandbox/exec.js';

const settings = (over: Partial<Record<string, SetupOp>> = {}): SetupOp[] => [
  over.id ?? { op: 'id', id: 'shelpertest' },
  over.hostname ?? { op: 'hostname', name: 'sandbox' },
  { op: 'server-pid', pid: process.pid },
  over.map ?? { op: 'map', base: 1_500_000_000, count: 65536 },
  { op: 'namespaces', kinds: ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'] },
  { op: 'seccomp', on: true },
];
const root: SetupOp[] = [
  { op: 'root-tmpfs', bytes: 16 << 20, inodes: 4096 },
  { op: 'dir', path: '/usr', mode: 0o755 },
  { op: 'ro-bind', src: '/usr', dest: '/usr', optional: false },
  { op: 'symlink', target: 'usr/bin', path: '/bin' },
  { op: 'symlink', target: 'usr/lib', path: '/lib' },
  { op: 'symlink', target: 'usr/lib64', path: '/lib64' },
  { op: 'dir', path: '/proc', mode: 0o755 },
  { op: 'dir', path: '/root', mode: 0o700 },
  { op: 'proc', path: '/proc' },
  { op: 'pivot-root' },
];

/** Runs `isoplay-init create` with raw bytes on stdin; resolves with its exit and output. */
function create(stdin: Buffer, extraArgs: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(INIT_BIN, ['create', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (/^ready \d+ \d+\n/.test(out)) p.kill('SIGTERM'); // a valid plan: the sandbox came up; end it
    });
    p.stderr.on('data', (d) => (err += d));
    p.stdin.on('error', () => undefined);
    p.stdin.end(stdin);
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

const field = (...f: string[]) => Buffer.from(f.map((x) => `${x}\0`).join(''));

describe('attack: hostile setup operations', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['an unknown operation', Buffer.concat([encodeOps(settings()), field('exec-as-root', '/bin/sh')]), /unknown operation "exec-as-root"/],
    ['a truncated operation', Buffer.concat([encodeOps(settings()), field('ro-bind', '/usr')]), /ro-bind\): needs 2 arguments/],
    ['a relative path', encodeOps([...settings(), ...root.slice(0, 1), { op: 'dir', path: 'etc', mode: 0o755 }, ...root.slice(1)]), /path "etc" is not absolute/],
    ['.. in a bind target', encodeOps([...settings(), ...root.slice(0, 2), { op: 'ro-bind', src: '/etc', dest: '/usr/../../etc', optional: false }, ...root.slice(2)]), /has \. or \.\./],
    ['.. in a file path', encodeOps([...settings(), root[0], { op: 'file', path: '/../../etc/passwd', mode: 0o644, content: 'x' }, ...root.slice(1)]), /has \. or \.\./],
    ['a number with junk after it', Buffer.concat([field('id', 'shelpertest', 'hostname', 'h', 'server-pid', String(process.pid), 'map', '12abc', '65536')]), /map\): bad number "12abc"/],
    ['an id range past 2^32', encodeOps(settings({ map: { op: 'map', base: 4294967000, count: 65536 } })), /map\): bad number/],
    ['an octal mode that is not octal', Buffer.concat([encodeOps([...settings(), root[0]]), field('dir', '/x', '0999')]), /dir\): bad number "0999"/],
    ['a stream without its final NUL', Buffer.from('id\0shelpertest'), /do not end with a NUL/],
    ['no root at all', encodeOps(settings()), /need root-tmpfs and pivot-root/],
    ['a root operation before the root', encodeOps([...settings(), { op: 'dir', path: '/etc', mode: 0o755 }, ...root]), /comes before root-tmpfs/],
    ['an operation after pivot-root', encodeOps([...settings(), ...root, { op: 'dir', path: '/late', mode: 0o755 }]), /comes after pivot-root/],
    ['a second root', encodeOps([...settings(), root[0], ...root]), /the root is made once/],
    ['a user namespace left out', Buffer.concat([encodeOps(settings()).subarray(0, 0), field('namespaces', 'pid,mnt')]), /user, pid and mnt are required/],
    ['a cgroup.procs path that is not one', encodeOps([...settings(), { op: 'join-procs', file: '/etc/passwd' }, ...root]), /not a cgroup\.procs file/],
    ['a bad mount flag', Buffer.concat([encodeOps([...settings(), root[0]]), field('tmpfs', '/x', 'nosuid,suid', '-')]), /unknown mount flag "suid"/],
    ['an oversized stream', Buffer.concat([encodeOps(settings()), Buffer.alloc(5 << 20, 'a'), Buffer.from([0])]), /exceed|too long/],
    ['a required bind whose source is missing', encodeOps([...settings(), ...root.slice(0, 3), { op: 'ro-bind', src: '/nonexistent-isoplay', dest: '/x', optional: false }, ...root.slice(3)]), /open bind source \/nonexistent-isoplay: No such file or directory/],
  ];
  for (const [what, stdin, why] of cases) {
    it(`refuses ${what}, naming it, and makes nothing`, async () => {
      const r = await create(stdin);
      expect(r.code, r.err).toBe(EXIT_HELPER);
      expect(r.err).toMatch(why);
      expect(r.out).toBe('');
    });
  }

  it('refuses operations passed as arguments instead of on stdin', async () => {
    const r = await create(encodeOps([...settings(), ...root]), ['--hostname', 'x']);
    expect(r.code).toBe(EXIT_HELPER);
    expect(r.err).toMatch(/operations on stdin, not as arguments/);
  });

  it('builds a sandbox from a valid minimal list, skipping an optional bind the host lacks', async () => {
    const r = await create(encodeOps([...settings(), ...root.slice(0, 3), { op: 'ro-bind', src: '/nonexistent-isoplay', dest: '/x', optional: true }, ...root.slice(3)]));
    expect(r.out).toMatch(/^ready \d+ \d+\n/);
  });

  it('enter refuses malformed arguments before touching any process', async () => {
    const base = ['enter', '--pid', '2', '--start', '1', '--monitor', '2', '--cgroup', '/isoplay/x', '--ns', 'user,pid,mnt'];
    const cases: [string[], RegExp][] = [
      [['enter', '--pid', '12abc', '--start', '1', '--monitor', '2', '--cgroup', '/isoplay/x', '--ns', 'user,pid,mnt', '--', 'true'], /--pid: bad number "12abc"/],
      [[...base, '--cwd', 'relative', '--', 'true'], /not absolute/],
      [[...base, '--cgroup', '/isoplay/../x', '--', 'true'], /has \. or \.\./],
      [[...base, '--env', '=x', '--', 'true'], /--env needs K=V/],
      [[...base.slice(0, 5), '--', 'true'], /enter needs/],
      [[...base.slice(0, -1), 'net', '--', 'true'], /user, pid and mnt are required/],
      // A kernel view (a lab check as host root) may join uts, ipc, net and cgroup, never user, pid or mnt.
      [[...base.slice(0, -1), 'uts,mnt', '--kernel-view', '--', 'true'], /a kernel view joins only uts, ipc, net and cgroup/],
      [[...base.slice(0, -1), 'user,pid,mnt', '--kernel-view', '--', 'true'], /a kernel view joins only/],
    ];
    for (const [args, why] of cases) {
      const r = await runCommand(INIT_BIN, args, { reject: false, timeoutMs: 5000 });
      expect(r.exitCode, args.join(' ')).toBe(EXIT_HELPER);
      expect(r.stderr, args.join(' ')).toMatch(why);
    }
  });
});
