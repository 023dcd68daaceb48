// Soak: create-use-destroy cycles against a server of its own (`npm run bench -- --only soak`:
// 1000 cycles; tests/integration/soak.test.ts runs a short one). Each cycle opens a session over
// the real API, types a command that makes a child cgroup and a network namespace inside the
// sandbox, waits for it, closes the socket and deletes the session, 4 cycles at a time. After the
// cycles, nothing of the server's instance may remain (session cgroups, named netns, links, mounts,
// isoplay-init processes, state files), and the server's RSS may grow only by a bounded amount
// (measured after a warm-up of 20 cycles, so the first allocations of every code path are not counted).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientFrame } from '../server/protocol/frames.js';
import { listInstances, tagOf } from '../server/sandbox/instance.js';
import { childServer, del, post } from './common.js';

/** Makes a child cgroup (v1 memory hierarchy, or v2 after enabling +memory) and a netns, then says so. */
const COMMAND =
  '{ mkdir /sys/fs/cgroup/memory/soak 2>/dev/null || { echo +memory > /sys/fs/cgroup/cgroup.subtree_control && mkdir /sys/fs/cgroup/soak; }; } && ' +
  'ip netns add soak && ip netns list | grep -q soak && echo soak-$((20+1))-ok\r';

/** How much the server's RSS may grow over a soak, after its warm-up (measured: see README, "Soak"). */
export const SOAK_RSS_BOUND_MIB = 40;

export interface SoakFigures {
  cycles: number;
  failed: string[];
  seconds: number;
  rssStartMiB: number;
  rssEndMiB: number;
  leftovers: Record<string, string[]>;
  /** The same after the server stopped (SIGTERM). */
  afterStop: Record<string, string[]>;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function cycle(base: string, wsBase: string): Promise<void> {
  const s = await post(base);
  try {
    const ws = new WebSocket(`${wsBase}/api/sessions/${s.id}/terminals/shell?token=${s.token}`);
    let text = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`cycle ${s.id}: no result after 30 s: ${JSON.stringify(text.slice(-200))}`)), 30_000);
      let sent = false;
      ws.on('message', (raw: Buffer) => {
        const f = decodeServerFrame(new Uint8Array(raw));
        if (f.type !== 'output') return;
        ws.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
        text = (text + Buffer.from(f.data).toString('latin1')).slice(-2000);
        if (!sent && text.includes('# ')) {
          sent = true;
          ws.send(encodeClientFrame({ type: 'input', data: Buffer.from(COMMAND) }));
        }
        if (/soak-21-ok/.test(text)) {
          clearTimeout(t);
          resolve();
        }
      });
      ws.on('error', reject);
    });
    ws.close();
  } finally {
    await del(base, s);
  }
}

/** What of this instance is left on the host (by its tag, its data directory and the isoplay prefix). */
export function leftoversOf(dataDir: string, tag: string | undefined): Record<string, string[]> {
  const cgroups: string[] = [];
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    for (const dir of [path.join('/sys/fs/cgroup', h, 'isoplay'), '/sys/fs/cgroup/isoplay']) {
      try {
        for (const n of fs.readdirSync(dir)) if (tag && n.startsWith(`${tag}-`) && fs.statSync(path.join(dir, n)).isDirectory()) cgroups.push(path.join(dir, n));
      } catch {
        /* no such hierarchy */
      }
    }
  }
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => /isoplay|soak/.test(l));
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').filter((l) => /isoplay/.test(l));
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dataDir) || (tag !== undefined && l.includes(`isoplay/${tag}-`)));
  let stateFiles: string[] = [];
  try {
    stateFiles = fs.readdirSync(path.join(dataDir, 'sandboxes'));
  } catch {
    /* none made */
  }
  // isoplay-init processes in this instance's cgroups (another instance's are not ours to count).
  const processes: string[] = [];
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (tag && fs.readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(`/isoplay/${tag}-`)) processes.push(`${p} ${fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim()}`);
    } catch {
      /* gone */
    }
  }
  return { cgroups, netns, links, mounts, stateFiles, processes };
}

export async function soak(cycles: number, concurrency = 4, onProgress?: (done: number) => void): Promise<SoakFigures> {
  const srv = await childServer(['--max-sessions', String(concurrency + 4)]);
  const failed: string[] = [];
  let tag: string | undefined;
  let figures: Omit<SoakFigures, 'afterStop'>;
  try {
    const key = fs.realpathSync(srv.dataDir);
    tag = [...listInstances()].filter(([, r]) => r?.key === key).map(([i]) => tagOf(i))[0];
    const warm = Math.min(20, Math.floor(cycles / 5));
    let started = 0;
    let rssStart = NaN;
    const t0 = performance.now();
    const worker = async () => {
      while (started < cycles) {
        const n = started++;
        if (n === warm) rssStart = rssMiB(srv.pid);
        try {
          await cycle(srv.base, srv.ws);
        } catch (e) {
          failed.push((e as Error).message.slice(0, 200));
        }
        onProgress?.(n + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    // Sessions end asynchronously after DELETE answers; give the last ones a moment.
    await new Promise((r) => setTimeout(r, 1500));
    const rssEnd = rssMiB(srv.pid);
    const leftovers = leftoversOf(srv.dataDir, tag);
    figures = { cycles, failed, seconds, rssStartMiB: rssStart, rssEndMiB: rssEnd, leftovers };
  } finally {
    await srv.stop();
  }
  return { ...figures, afterStop: leftoversOf(srv.dataDir, tag) };
}
