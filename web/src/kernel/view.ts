// The kernel view: one kernel shared by host and sandbox, the namespaces of every process against
// the host's, the process tree with the PID inside and on the host, and live cgroup gauges and
// charts (uPlot) with OOM kills and throttling as events.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CgroupInfo, KernelMessage, NamespaceKind, ProcessInfo, ProcessesMessage, ServerEventMessage } from '../../../server/protocol/events.js';
import type { PageContext } from '../context.js';
import './kernel-view.css';

const KINDS: NamespaceKind[] = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time'];
const MiB = 1024 * 1024;
const WINDOW = 120; // samples kept per chart

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmtMiB = (b: number | null) => (b === null ? '∞' : `${(b / MiB).toFixed(b < 10 * MiB ? 1 : 0)} MiB`);

function section(title: string, caption: string): { box: HTMLElement; body: HTMLElement } {
  const box = document.createElement('section');
  box.className = 'kv-section';
  box.innerHTML = `<h3 class="kv-h">${title}</h3><p class="kv-caption">${caption}</p>`;
  const body = document.createElement('div');
  box.append(body);
  return { box, body };
}

export function mountKernelView(root: HTMLElement, ctx: PageContext): () => void {
  root.replaceChildren();
  const title = document.createElement('h2');
  title.className = 'kv-title';
  title.textContent = 'Kernel view';
  const kernel = section('One kernel', 'Every sandbox runs on the host\'s own kernel: same release, same boot id. A VM (try the containers-vs-VMs lab) boots a kernel of its own.');
  const ns = section('Namespaces', 'Each process\'s namespaces, by inode. <b class="kv-host">host</b> = shared with the host; <b class="kv-own">own</b> = the sandbox\'s own; <b class="kv-nested">new</b> = one you created inside the sandbox.');
  const procs = section('Processes', 'The same process has two PIDs: one inside the sandbox, one on the host. Root inside is an unprivileged user outside.');
  const cg = section('cgroups', 'Live usage against the limits of your sandbox and of every cgroup you create under /sys/fs/cgroup.');
  const events = section('Events', 'OOM kills and CPU throttling, as the kernel reports them.');
  root.append(title, kernel.box, ns.box, procs.box, cg.box, events.box);
  events.body.className = 'kv-events';
  events.body.innerHTML = '<div class="kv-empty">Nothing yet. Try the memory lab.</div>';

  const charts = new Map<string, { plot: uPlot; data: number[][]; el: HTMLElement }>();
  let hostNs: Partial<Record<NamespaceKind, number>> = {};

  let lastKernel: KernelMessage | undefined;
  const fmtUptime = (sec: number) => {
    const s = Math.max(0, Math.floor(sec));
    if (s < 120) return `${s} s`;
    const h = Math.floor(s / 3600);
    const min = Math.floor((s % 3600) / 60);
    return h ? `${h} h ${min} min` : `${min} min`;
  };
  function renderKernel(m: KernelMessage): void {
    lastKernel = m;
    const same = m.host.release === m.sandbox.release && m.host.bootId === m.sandbox.bootId;
    const vms = m.vms ?? [];
    const age = (Date.now() - m.at) / 1000;
    const cell = (text: string, diff: boolean, title = text) => `<td class="kv-mono${diff ? ' kv-diff' : ''}" title="${esc(title)}">${esc(text)}</td>`;
    const row = (label: string, k: { release: string; bootId: string; uptimeSec: number }, cls = '', note = '') =>
      `<tr class="${cls}"><th>${label}</th>${cell(k.release, k.release !== m.host.release)}${cell(`${k.bootId.slice(0, 8)}…`, k.bootId !== m.host.bootId, k.bootId)}<td class="kv-uptime" data-uptime="${k.uptimeSec}">${fmtUptime(k.uptimeSec + age)}${note}</td></tr>`;
    const vmRows = vms
      .map((v) => row(`VM <span class="kv-badge">${esc(v.accel.toUpperCase())}</span>`, v, 'kv-vm', `<div class="kv-sub">${v.bootWallSec !== undefined ? `booted in ${v.bootWallSec.toFixed(1)} s (firmware, kernel, init) · ` : ''}its kernel's clock: ${v.bootSec.toFixed(1)} s${v.memTotalKb ? ` · ${Math.round(v.memTotalKb / 1024)} MiB RAM` : ''}</div>`))
      .join('');
    const verdict = !same
      ? '<div class="kv-verdict">Different kernels</div>'
      : vms.length
        ? `<div class="kv-verdict kv-same">✓ Host and sandbox share one kernel.</div><div class="kv-verdict kv-vmverdict">The VM booted a kernel of its own: ${vms.some((v) => v.release !== m.host.release) ? 'another release, ' : ''}another boot id, its own uptime.</div>`
        : '<div class="kv-verdict kv-same">✓ Same kernel: the sandbox is not a VM.</div>';
    kernel.body.innerHTML = `<table class="kv-table kv-kernel"><thead><tr><th></th><th>release</th><th>boot id</th><th>uptime</th></tr></thead><tbody>
      ${row('host', m.host)}${row('sandbox', m.sandbox)}${vmRows}</tbody></table>${verdict}`;
  }
  // Uptimes tick on the page between messages.
  const uptimeTimer = setInterval(() => {
    if (!lastKernel) return;
    const age = (Date.now() - lastKernel.at) / 1000;
    kernel.body.querySelectorAll<HTMLElement>('.kv-uptime').forEach((td) => {
      const first = td.firstChild;
      if (first && first.nodeType === Node.TEXT_NODE) first.textContent = fmtUptime(Number(td.dataset.uptime) + age);
    });
  }, 1000);

  function renderProcesses(m: ProcessesMessage): void {
    hostNs = m.hostNs;
    const list = m.list;
    // Namespaces table: one row per process, own/host per kind.
    const head = `<tr><th>pid</th><th>cmd</th>${KINDS.map((k) => `<th>${k}</th>`).join('')}</tr>`;
    // The sandbox's init (PID 1 inside) defines "the sandbox's own"; anything else is nested.
    const sandboxNs = list.find((p) => p.nsPids.length === 2 && p.nsPids[1] === 1)?.ns ?? {};
    const rows = list
      .map((p) => {
        const cells = KINDS.map((k) => {
          const ino = p.ns[k];
          if (ino === undefined) return '<td>–</td>';
          const cls = hostNs[k] === ino ? 'kv-host' : sandboxNs[k] === ino ? 'kv-own' : 'kv-nested';
          return `<td class="${cls}" title="${k}:[${ino}]">${cls === 'kv-host' ? 'host' : String(ino).slice(-4)}</td>`;
        }).join('');
        return `<tr data-hostpid="${p.hostPid}"><td>${p.nsPids[p.nsPids.length - 1]}</td><td class="kv-mono">${esc(p.comm)}</td>${cells}</tr>`;
      })
      .join('');
    ns.body.innerHTML = `<table class="kv-table kv-ns">${head}${rows}</table>`;
    // Process tree by ppid, with both PIDs and both users.
    const byPid = new Map(list.map((p) => [p.hostPid, p]));
    const kids = new Map<number, ProcessInfo[]>();
    const roots: ProcessInfo[] = [];
    for (const p of list) {
      if (byPid.has(p.ppid)) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
      else roots.push(p);
    }
    const lines: string[] = [];
    const walk = (p: ProcessInfo, depth: number) => {
      const inner = p.nsPids.slice(1).join(' → ');
      lines.push(`<tr><td class="kv-mono">${'&nbsp;&nbsp;'.repeat(depth)}${depth ? '└ ' : ''}${esc(p.comm)}</td><td>${inner}</td><td>${p.hostPid}</td><td>${p.uid.inside === 0 ? 'root' : p.uid.inside}</td><td class="kv-mono">${p.uid.host}</td></tr>`);
      for (const c of kids.get(p.hostPid) ?? []) walk(c, depth + 1);
    };
    roots.forEach((r) => walk(r, 0));
    procs.body.innerHTML = `<table class="kv-table"><tr><th>process</th><th>PID inside</th><th>PID on host</th><th>user inside</th><th>uid on host</th></tr>${lines.join('')}</table>`;
  }

  function chartFor(c: CgroupInfo): { plot: uPlot; data: number[][]; el: HTMLElement } {
    let ch = charts.get(c.path);
    if (ch) return ch;
    const el = document.createElement('div');
    el.className = 'kv-cgroup';
    el.dataset.path = c.path;
    cg.body.append(el);
    const plotEl = document.createElement('div');
    el.append(document.createElement('div'), plotEl);
    const data: number[][] = [[], [], []];
    const plot = new uPlot(
      {
        width: Math.max(260, root.clientWidth - 40),
        height: 90,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { size: 54, stroke: '#9aa5b1', grid: { stroke: '#2a3441' }, values: (_u, v) => v.map((x) => `${x}M`) }],
        scales: { x: { time: false } },
        series: [
          {},
          { label: 'memory MiB', stroke: '#5ccfe6', fill: 'rgba(92,207,230,0.15)', width: 2, points: { show: false } },
          { label: 'limit', stroke: '#f28779', dash: [4, 4], width: 1, points: { show: false } },
        ],
      },
      data as uPlot.AlignedData,
      plotEl,
    );
    ch = { plot, data, el };
    charts.set(c.path, ch);
    return ch;
  }

  const notCounted = (kind: string, mode: 'v1' | 'v2') =>
    `<div class="kv-gauge kv-missing" data-kind="${kind}"><span>${kind}</span><span class="kv-note">not counted: ${mode === 'v2' ? `the parent's cgroup.subtree_control does not enable +${kind}` : `this cgroup is not in the ${kind} hierarchy`}</span></div>`;

  // The server sends cgroups only when a number changed; the charts still move with time, carrying
  // the last value forward once a second.
  const lastCg = new Map<string, CgroupInfo>();
  function pushPoint(path: string, t: number): void {
    const ch = charts.get(path);
    const c = lastCg.get(path);
    if (!ch || !c) return;
    const [xs, mem, lim] = ch.data;
    if (xs.length && t <= xs[xs.length - 1]) return;
    xs.push(t);
    mem.push(c.memory.current / MiB);
    lim.push(c.memory.max === null ? (null as unknown as number) : c.memory.max / MiB); // a gap, not NaN (NaN breaks the y range)
    if (xs.length > WINDOW) ch.data.forEach((a) => a.shift());
    ch.plot.setData(ch.data as uPlot.AlignedData);
  }
  const chartTimer = setInterval(() => {
    const now = Date.now() / 1000;
    for (const [path, ch] of charts) if (!ch.data[0].length || now - ch.data[0][ch.data[0].length - 1] >= 0.9) pushPoint(path, now);
  }, 1000);

  function renderCgroups(list: CgroupInfo[], _at: number, mode: 'v1' | 'v2'): void {
    const seen = new Set<string>();
    for (const c of list) {
      seen.add(c.path);
      const ch = chartFor(c);
      lastCg.set(c.path, c);
      pushPoint(c.path, Date.now() / 1000);
      const pct = c.memory.max ? Math.min(100, (c.memory.current / c.memory.max) * 100) : 0;
      const pidPct = c.pids.max ? Math.min(100, (c.pids.current / c.pids.max) * 100) : 0;
      const missing = new Set(c.missing ?? []);
      (ch.el.firstElementChild as HTMLElement).innerHTML = `<div class="kv-cg-head"><span class="kv-mono kv-cg-path">${esc(c.path === '/' ? '/ (your sandbox)' : c.path)}</span>${c.oomKills ? `<span class="kv-badge kv-oom">${c.oomKills} OOM kill${c.oomKills > 1 ? 's' : ''}</span>` : ''}</div>
        ${missing.has('memory') ? notCounted('memory', mode) : `<div class="kv-gauge" data-kind="memory"><span>memory</span><div class="kv-bar"><div style="width:${pct}%" class="${pct > 90 ? 'kv-hot' : ''}"></div></div><span class="kv-num">${fmtMiB(c.memory.current)} / ${fmtMiB(c.memory.max)}</span></div>`}
        ${missing.has('pids') ? notCounted('pids', mode) : `<div class="kv-gauge" data-kind="pids"><span>pids</span><div class="kv-bar"><div style="width:${pidPct}%"></div></div><span class="kv-num">${c.pids.current} / ${c.pids.max ?? '∞'}</span></div>`}
        ${missing.has('cpu') ? notCounted('cpu', mode) : `<div class="kv-cpu">CPU ${(c.cpu.usageUsec / 1e6).toFixed(2)} s used${c.cpu.quotaUsec && c.cpu.periodUsec ? ` · limit ${(c.cpu.quotaUsec / c.cpu.periodUsec).toFixed(2)} CPU` : ''} · throttled ${(c.cpu.throttledUsec / 1e6).toFixed(2)} s</div>`}`;
    }
    for (const [p, ch] of charts) {
      if (!seen.has(p)) {
        ch.plot.destroy();
        ch.el.remove();
        charts.delete(p);
        lastCg.delete(p);
      }
    }
  }

  function addEvent(m: Extract<ServerEventMessage, { type: 'event' }>): void {
    let text: string;
    let cls = '';
    if (m.kind === 'oom') {
      text = `OOM kill in ${m.path} (total ${m.count})`;
      cls = 'kv-oom';
    } else if (m.kind === 'throttle') {
      text = `CPU throttled in ${m.path}: ${(m.throttledUsec / 1e6).toFixed(1)} s so far`;
      cls = 'kv-throttle';
    } else if (m.kind === 'step-passed') {
      text = `Step ${m.step + 1} passed`;
      cls = 'kv-passed';
    } else if (m.kind === 'exit') {
      text = `Terminal ${m.terminal} exited (${m.code})`;
    } else return;
    events.body.querySelector('.kv-empty')?.remove();
    const row = document.createElement('div');
    row.className = `kv-event ${cls}`;
    row.dataset.kind = m.kind;
    row.textContent = `${new Date(m.at).toLocaleTimeString()} · ${text}`;
    events.body.prepend(row);
  }

  const unsubscribe = ctx.onEvent((m) => {
    if (m.type === 'kernel') renderKernel(m);
    else if (m.type === 'processes') renderProcesses(m);
    else if (m.type === 'cgroups') renderCgroups(m.list, m.at, m.mode);
    else addEvent(m);
  });
  return () => {
    unsubscribe();
    clearInterval(uptimeTimer);
    clearInterval(chartTimer);
    for (const ch of charts.values()) ch.plot.destroy();
  };
}
