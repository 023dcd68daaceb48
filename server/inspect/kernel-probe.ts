// The sandbox's own kernel, read from inside it: the kernel view shows "same kernel" from what the
// sandbox itself reports, not from an assumption.
import type { KernelInfo } from '../protocol/events.js';
import type { SessionInfo } from '../sessions/types.js';

/** Read from INSIDE the sandbox, so "same kernel" is shown, not assumed. */
export async function sandboxKernel(session: SessionInfo): Promise<KernelInfo | undefined> {
  if (!session.sandbox) return undefined;
  // Through the sandbox's bounded runner, like checks: a learner cannot pile up probes on the host.
  const r = await session.sandbox.run(['/bin/sh', '-c', 'uname -r; cat /proc/sys/kernel/random/boot_id; cut -d" " -f1 /proc/uptime'], { timeoutMs: 5000 });
  const [release, bootId, uptime] = r.stdout.trim().split('\n');
  if (!release || !bootId) return undefined;
  return { release, bootId, uptimeSec: Math.floor(Number(uptime)) };
}
