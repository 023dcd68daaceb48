// Finding the kernel of each VM a learner boots: the probe script that runs inside the sandbox,
// its parser, and the match of each guest's report to its qemu process. Pure, unit-tested.
import type { KernelInfo, ProcessInfo, VmKernelInfo } from '../protocol/events.js';

/**
 * While a VM runs whose guest has not reported its kernel yet, look again every second; a qemu that
 * stays silent (started by hand, without isoplay-vm) is asked less and less often, down to every 15 s,
 * so it does not cost its session a probe process a second.
 */
export function vmProbeDelayMs(silentForMs: number): number {
  return silentForMs < 30_000 ? 1_000 : Math.min(15_000, 1_000 + Math.floor((silentForMs - 30_000) / 10));
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `isoplay-vm` gives each VM a second serial port that is a file in the sandbox,
 * /run/isoplay-vm/vm-<launcher pid>.json, and the guest's init writes one JSON line there at boot
 * (server/sandbox/vm/guest-init.sh). This script runs INSIDE the sandbox (never through
 * /proc/PID/root, where a learner's symlink could point the server at a host file) and prints
 * `<launcher pid> <launch ns> <report ns> <json>` per VM: the launcher writes the wall clock at
 * which it started qemu to vm-<pid>.start, and the report file's mtime is when the guest wrote it.
 */
export const VM_PROBE_SCRIPT =
  'for f in /run/isoplay-vm/vm-*.json; do [ -s "$f" ] || continue; p=${f##*/vm-}; p=${p%.json}; ' +
  's=$(cat "/run/isoplay-vm/vm-$p.start" 2>/dev/null); printf "%s %s %s %s\\n" "$p" "${s:-0}" "$(date -r "$f" +%s%N)" "$(head -c 600 "$f" | head -n 1)"; done';

/** Parses VM_PROBE_SCRIPT's output; a line that is not a guest's report is skipped. */
export function parseVmProbe(text: string): { launcherPid: number; info: KernelInfo & { memTotalKb?: number; bootWallSec?: number } }[] {
  const out: { launcherPid: number; info: KernelInfo & { memTotalKb?: number; bootWallSec?: number } }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+) (\d+) (\{.*\})\s*$/.exec(line);
    if (!m) continue;
    try {
      const j = JSON.parse(m[4]) as Record<string, unknown>;
      const launched = Number(m[2]);
      const reported = Number(m[3]);
      const wall = launched > 0 && reported > launched ? Math.round((reported - launched) / 1e7) / 100 : undefined;
      if (typeof j.release !== 'string' || j.release.length > 100 || typeof j.bootId !== 'string' || !UUID.test(j.bootId)) continue;
      const uptime = Number(j.uptimeSec);
      const mem = Number(j.memTotalKb);
      out.push({
        launcherPid: Number(m[1]),
        info: {
          release: j.release,
          bootId: j.bootId,
          uptimeSec: Number.isFinite(uptime) ? uptime : 0,
          ...(Number.isFinite(mem) && mem > 0 ? { memTotalKb: mem } : {}),
          ...(wall !== undefined ? { bootWallSec: wall } : {}),
        },
      });
    } catch {
      /* half-written or not JSON: the next probe reads it again */
    }
  }
  return out;
}

/**
 * The RAM a qemu command line gives its guest, in MiB: `-m 96`, `-m 96M`, `-m 1G`, `-m size=512M,maxmem=1G`
 * (qemu's unit is MiB when there is no suffix). Undefined when the line does not say (qemu's default).
 */
export function qemuMemMiB(args: string): number | undefined {
  const m = /(?:^|\s)-m\s+(?:size=)?(\d+(?:\.\d+)?)([kmgt])?(?:i?b)?(?=[,\s]|$)/i.exec(args);
  if (!m) return undefined;
  const unit = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 }[(m[2] ?? 'm').toLowerCase() as 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * unit);
}

/** Pairs each guest report with its qemu process (a child of the launcher whose pid names the file). */
export function matchVms(qemus: ProcessInfo[], all: ProcessInfo[], reports: ReturnType<typeof parseVmProbe>): VmKernelInfo[] {
  const free = new Set(qemus);
  const vms: VmKernelInfo[] = [];
  for (const r of reports) {
    const q =
      [...free].find((p) => all.some((l) => l.hostPid === p.ppid && l.nsPids.slice(1).includes(r.launcherPid))) ??
      (free.size === 1 && reports.length === 1 ? [...free][0] : undefined);
    if (!q) continue;
    free.delete(q);
    const memConfiguredMiB = qemuMemMiB(q.args);
    vms.push({
      ...r.info,
      bootSec: r.info.uptimeSec,
      hostPid: q.hostPid,
      accel: /-(accel|machine)\s+\S*kvm|-enable-kvm/.test(q.args) ? 'kvm' : 'tcg',
      ...(memConfiguredMiB !== undefined ? { memConfiguredMiB } : {}),
      ...(q.rssKb !== undefined ? { memUsedMiB: Math.round(q.rssKb / 1024) } : {}),
    });
  }
  return vms.sort((a, b) => a.hostPid - b.hostPid);
}

