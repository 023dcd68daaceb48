// deploy/docker-entrypoint.sh outside a container, with the real doctor: it passes on this host and
// refuses to start, naming what is missing and the docker flags, where the cgroupfs is read-only
// (a private mount namespace in which every cgroup mount is remounted read-only, as in a container
// started without --privileged).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = path.join(ROOT, 'deploy/docker-entrypoint.sh');
const READ_ONLY_CGROUPS = `set -e
for mp in $(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' /proc/self/mountinfo); do
  mount -o remount,bind,ro "$mp"
done
exec "$@"`;

describe('docker-entrypoint.sh', () => {
  it('runs the real doctor and reports this host fit (`doctor` alone)', () => {
    const r = spawnSync(ENTRY, ['doctor'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toContain('Isolation Playground doctor');
    expect(r.stdout).toContain('cgroupfs writable');
    expect(r.status).toBe(0);
  }, 30_000);

  it('refuses to start with a clear message when /sys/fs/cgroup is read-only', () => {
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', READ_ONLY_CGROUPS, 'sh', ENTRY, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot run the playground');
    expect(r.stderr).toMatch(/FAIL {2}cgroupfs writable .*read-only file system/);
    expect(r.stderr).toContain('docker run --privileged --cgroupns=host');
    // It never got as far as starting the server.
    expect(r.stdout).not.toContain('is running at');
  }, 30_000);
});
