// The kernel view: one kernel shared by host and sandbox, the namespaces of every process against
// the host's, the process tree with the PID inside and on the host, and live cgroup gauges and
// charts (uPlot) with OOM kills and throttling as events.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CgroupInfo, CgroupsMessage, KernelMessage, NamespaceKind, ProcessesMessage, ServerEventMessage, Truncated, VmKernelInfo } from '../../../server/protocol/events.js';
import type { PageContext } from '../context.js';
import { esc } from '../dom.js';
import { lang, t } from '../i18n/index.js';
import { orderProcesses } from './rows.js';
import './kernel-view.css';

const KINDS: NamespaceKind[] = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time'];
const MiB = 1024 * 1024;

/** A fade at the right edge while a sideways-scrolling table has columns out of sight (`data-more`), and its hint shown. */
function markOverflow(el: HTMLElement | null, hint: HTMLElement | null): void {
  if (!el) return;
  const more = el.scrollLeft + el.clientWidth < el.scrollWidth - 2;
  if (more) el.dataset.more = 'true';
  else delete el.dataset.more;
  if (hint) hint.hidden = !more;
}
/** The value axis's width in CSS pixels (the time axis's ticks are spaced over what is left). */
const Y_AXIS_PX = 64;
/** Seconds of history a chart shows: its time axis always spans this, ending at the newest sample. */
const WINDOW_S = 120;
/** A bound on the samples kept per chart (at most two a second arrive: one per sampler tick). */
const MAX_SAMPLES = 4 * WINDOW_S;

/**
 * "and N more": the server lists a bounded number of processes and cgroups per session (one
 * learner's thousands must not slow the others) and counts the rest.
 */
function moreNote(tr: Truncated, what: 'kv.moreProcesses' | 'kv.moreCgroups'): string {
  if (tr.more === undefined) return '';
  const n = tr.moreIsLowerBound ? t('kv.moreAtLeast', { n: tr.more }) : String(tr.more);
  return `<p class="kv-more" data-more="${tr.more}">${esc(t(what, { n }))}</p>`;
}

const fmtMiB = (b: number | null) => (b === null ? '∞' : `${(b / MiB).toFixed(b < 10 * MiB ? 1 : 0)} MiB`);

/** A section with its heading; `slug` makes the heading's id (the same in every language). */
function section(slug: string, title: string, caption: string): { box: HTMLElement; body: HTMLElement } {
  const box = document.createElement('section');
  box.className = 'kv-section';
  const id = `kv-h-${slug}`;
  box.setAttribute('aria-labelledby', id);
  box.innerHTML = `<h3 class="kv-h" id="${id}">${title}</h3><p class="kv-caption">${caption}</p>`;
  const body = document.createElement('div');
  box.append(body);
  return { box, body };
}

export function mountKernelView(root: HTMLElement, ctx: PageContext): () => void {
  root.replaceChildren();
  const title = document.createElement('h2');
  title.className = 'kv-title';
  title.textContent = t('layout.kernelView');
  const kernel = section('one-kernel', esc(t('kv.k.h')), esc(t('kv.k.caption')));
  const ns = section('namespaces', esc(t('kv.ns.h')), t('kv.ns.caption'));
  // One observer for the panel's life: a panel widened by its splitter (or a window resized) may show every column now.
  const markNs = () => markOverflow(ns.body.querySelector<HTMLElement>('.kv-ns-wrap'), ns.body.querySelector<HTMLElement>('.kv-more-cols'));
  const nsResize = new ResizeObserver(markNs);
  const procs = section('processes', esc(t('kv.p.h')), esc(t('kv.p.caption')));
  const cg = section('cgroups', esc(t('kv.cg.h')), esc(t('kv.cg.caption')));
  // free, top and /proc/meminfo are not namespaced: inside the sandbox they show the host's memory.
  const hostWide = document.createElement('p');
  hostWide.className = 'kv-caption kv-hostwide';
  cg.box.insertBefore(hostWide, cg.body);
  const events = section('events', esc(t('kv.events.h')), esc(t('kv.events.caption')));
  root.append(title, kernel.box, ns.box, procs.box, cg.box, events.box);
  events.body.className = 'kv-events';
  events.body.setAttribute('role', 'log');
  events.body.setAttribute('aria-live', 'polite');
  events.body.innerHTML = `<div class="kv-empty">${esc(t('kv.events.empty'))}</div>`;

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
      `<tr class="${cls}"><th scope="row">${label}</th>${cell(k.release, k.release !== m.host.release)}${cell(`${k.bootId.slice(0, 8)}…`, k.bootId !== m.host.bootId, k.bootId)}<td class="kv-uptime" data-uptime="${k.uptimeSec}">${fmtUptime(k.uptimeSec + age)}${note}</td></tr>`;
    const vmRows = vms
      // The VM's details (boot time, RAM) in a full-width row under its own, not crammed into uptime.
      .map(
        (v) =>
          row(`VM <span class="kv-badge">${esc(v.accel.toUpperCase())}</span>`, v, 'kv-vm') +
          `<tr class="kv-vmdetail"><td colspan="4"><div class="kv-sub">${esc(v.bootWallSec !== undefined ? t('kv.k.bootedIn', { wall: v.bootWallSec.toFixed(1), clock: v.bootSec.toFixed(1) }) : t('kv.k.clockAtBoot', { clock: v.bootSec.toFixed(1) }))}</div>${vmMemory(v)}</td></tr>`,
      )
      .join('');
    const verdict = !same
      ? `<div class="kv-verdict">${esc(t('kv.k.different'))}</div>`
      : vms.length
        ? `<div class="kv-verdict kv-same">${esc(t('kv.k.shareOne'))}</div><div class="kv-verdict kv-vmverdict">${esc(t(vms.some((v) => v.release !== m.host.release) ? 'kv.k.vmOwnRelease' : 'kv.k.vmOwn'))}</div>`
        : `<div class="kv-verdict kv-same">${esc(t('kv.k.same'))}</div>`;
    kernel.body.innerHTML = `<table class="kv-table kv-kernel"><thead><tr><th scope="col">${esc(t('kv.k.of'))}</th><th scope="col">${esc(t('kv.k.release'))}</th><th scope="col">${esc(t('kv.k.bootId'))}</th><th scope="col">${esc(t('kv.k.uptime'))}</th></tr></thead><tbody>
      ${row(esc(t('kv.k.host')), m.host)}${row(esc(t('kv.k.sandbox')), m.sandbox)}${vmRows}</tbody></table>${verdict}`;
  }
  // A VM's RAM three ways: what qemu was told, what the guest's kernel sees, and where its use shows.
  const vmMemory = (v: VmKernelInfo) =>
    v.memConfiguredMiB === undefined && v.memTotalKb === undefined
      ? ''
      : `<div class="kv-sub kv-vmmem">${esc(
          t('kv.k.ram', {
            parts: [
              v.memConfiguredMiB !== undefined ? t('kv.k.ramConfigured', { n: v.memConfiguredMiB }) : '',
              v.memTotalKb ? t('kv.k.ramSeen', { n: Math.round(v.memTotalKb / 1024) }) : '',
              v.memUsedMiB !== undefined ? t('kv.k.ramUsed', { n: v.memUsedMiB }) : '',
            ]
              .filter(Boolean)
              .join(', '),
          }),
        )}</div>`;
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
    // One order for both tables (the process tree), so rows do not jump between updates.
    const rows = orderProcesses(m.list);
    const head = `<thead><tr><th scope="col">${esc(t('kv.ns.pidInside'))}</th><th scope="col">${esc(t('kv.ns.command'))}</th>${KINDS.map((k) => `<th scope="col">${k}</th>`).join('')}</tr></thead>`;
    // The sandbox's init (PID 1 inside) defines "the sandbox's own"; anything else is nested.
    const sandboxNs = m.list.find((p) => p.nsPids.length === 2 && p.nsPids[1] === 1)?.ns ?? {};
    const digits = (ino: number) => String(ino).slice(-4);
    const hostRow = `<tr class="kv-hostref"><td>–</td><td class="kv-mono">${esc(t('kv.ns.theHost'))}</td>${KINDS.map((k) => {
      const ino = hostNs[k];
      return ino === undefined ? '<td>–</td>' : `<td class="kv-host" title="${esc(t('kv.ns.hostTitle', { kind: k, ino }))}">${digits(ino)}</td>`;
    }).join('')}</tr>`;
    const nsRows = rows
      .map(({ p }) => {
        const cells = KINDS.map((k) => {
          const ino = p.ns[k];
          if (ino === undefined) return '<td>–</td>';
          const cls = hostNs[k] === ino ? 'kv-host' : sandboxNs[k] === ino ? 'kv-own' : 'kv-nested';
          const what = t(cls === 'kv-host' ? 'kv.ns.shared' : cls === 'kv-own' ? 'kv.ns.own' : 'kv.ns.nested');
          return `<td class="${cls}" title="${k}:[${ino}], ${esc(what)}">${digits(ino)}</td>`;
        }).join('');
        return `<tr data-hostpid="${p.hostPid}"><td>${p.nsPids[p.nsPids.length - 1]}</td><td class="kv-mono">${esc(p.comm)}</td>${cells}</tr>`;
      })
      .join('');
    const more = moreNote(m, 'kv.moreProcesses');
    // Eight namespace columns are wider than a narrow panel: the table scrolls sideways on its own
    // (PID and command stay put), not the whole kernel view, and a keyboard can scroll it too.
    const scrollX = ns.body.querySelector('.kv-ns-wrap')?.scrollLeft ?? 0;
    ns.body.innerHTML = `<div class="kv-ns-wrap" tabindex="0" role="region" aria-label="${esc(t('kv.ns.tableLabel'))}"><table class="kv-table kv-ns">${head}<tbody>${hostRow}${nsRows}</tbody></table></div><p class="kv-caption kv-more-cols" hidden>${esc(t('kv.ns.moreCols'))}</p>${more}`;
    const wrap = ns.body.querySelector<HTMLElement>('.kv-ns-wrap')!;
    wrap.scrollLeft = scrollX;
    wrap.onscroll = markNs;
    nsResize.disconnect();
    nsResize.observe(wrap);
    markNs();
    // Process tree by ppid, with both PIDs and both users.
    const lines = rows.map(({ p, depth }) => {
      const inner = p.nsPids.slice(1).join(' → ');
      return `<tr data-hostpid="${p.hostPid}"><td class="kv-mono">${'&nbsp;&nbsp;'.repeat(depth)}${depth ? '└ ' : ''}${esc(p.comm)}</td><td>${inner}</td><td>${p.hostPid}</td><td>${p.uid.inside === 0 ? 'root' : p.uid.inside}</td><td class="kv-mono">${p.uid.host}</td></tr>`;
    });
    procs.body.innerHTML = `<table class="kv-table kv-procs"><thead><tr><th scope="col">${esc(t('kv.p.process'))}</th><th scope="col">${esc(t('kv.ns.pidInside'))}</th><th scope="col">${esc(t('kv.p.pidHost'))}</th><th scope="col">${esc(t('kv.p.userInside'))}</th><th scope="col">${esc(t('kv.p.uidHost'))}</th></tr></thead><tbody>${lines.join('')}</tbody></table>${more}`;
  }

  // One card per cgroup: gauges, and three small live charts (uPlot) that share one time axis:
  // memory against its limit, pids against pids.max, CPU use and throttling in % of one CPU.
  interface CgCard {
    el: HTMLElement;
    head: HTMLElement;
    slots: Record<'memory' | 'pids' | 'cpu', { gauge: HTMLElement; chart: HTMLElement; plot: uPlot; data: (number | null)[][] }>;
    xs: number[];
    last?: CgroupInfo;
    prev?: { usage: number; throttled: number; at: number };
    rate: { cpu: number; throttled: number; at: number };
  }
  const cards = new Map<string, CgCard>();
  // Stays the last child of the cgroups section: cards are inserted before it.
  const cgMore = document.createElement('div');
  cg.body.append(cgMore);
  // The presenter view zooms the panel's contents by 1.25 (style.css): the charts, drawn in it, too.
  const width = () => Math.max(180, Math.floor((root.clientWidth - 40) / (document.body.classList.contains('presenter') ? 1.25 : 1)));
  const AXIS = { stroke: '#9aa5b1', grid: { stroke: '#2a3441' }, ticks: { show: false }, font: '12px sans-serif' };
  // The time axis counts seconds back from the newest sample ("now").
  const timeAxis = (u: uPlot, v: number[]) => {
    const newest = u.data[0].at(-1) ?? 0;
    return v.map((x) => (Math.round(x - newest) === 0 ? t('kv.chart.now') : `${Math.round(x - newest)} s`));
  };
  /** 30 s apart where the chart has room for five labels, else 60 s. */
  const timeSplits = (plotWidth: number, newest: number) => {
    const step = plotWidth / (WINDOW_S / 30) >= 52 ? 30 : 60;
    const out: number[] = [];
    for (let back = WINDOW_S; back >= 0; back -= step) out.push(newest - back);
    return out;
  };
  function makePlot(el: HTMLElement, data: (number | null)[][], height: number, unit: string, series: uPlot.Series[]): uPlot {
    return new uPlot(
      {
        width: width(),
        height,
        legend: { show: false },
        cursor: { show: false },
        axes: [
          // Ticks at whole steps back from the newest sample (-120 s, -90 s, … now), never at
          // round absolute times (which read as "-71 s" and move every second).
          { ...AXIS, size: 22, values: timeAxis, splits: (u, _i, _min, max) => timeSplits(u.width - Y_AXIS_PX, Number(max)) },
          { ...AXIS, size: Y_AXIS_PX, values: (_u, v) => v.map((x) => `${x} ${unit}`) },
        ],
        // The time axis is always the whole window, ending at the newest sample: it does not stretch
        // while the chart fills, and one sample alone (a range of zero, which uPlot widens by the
        // value's magnitude, here a billion seconds) still gets a sane axis.
        scales: { x: { time: false, range: (_u, _min, max) => [Number(max) - WINDOW_S, Number(max)] }, y: { range: (_u, _min, max) => [0, Math.max(Number(max) || 0, unit === '%' ? 10 : 1)] } },
        series: [{}, ...series.map((x) => ({ width: 1, points: { show: false }, ...x }))],
      },
      data as uPlot.AlignedData,
      el,
    );
  }
  function cardFor(path: string): CgCard {
    const existing = cards.get(path);
    if (existing) return existing;
    const el = document.createElement('div');
    el.className = 'kv-cgroup';
    el.dataset.path = path;
    const head = document.createElement('div');
    el.append(head);
    cg.body.insertBefore(el, cgMore);
    const xs: number[] = [];
    const slot = (kind: 'memory' | 'pids' | 'cpu', height: number, unit: string, series: uPlot.Series[]) => {
      const gauge = document.createElement('div');
      const chart = document.createElement('div');
      chart.className = 'kv-chart';
      chart.dataset.kind = kind;
      // The canvas says nothing to a screen reader: the chart is an image with a summary as its name.
      chart.setAttribute('role', 'img');
      el.append(gauge, chart);
      const data: (number | null)[][] = [xs, ...series.map(() => [])];
      const plot = makePlot(chart, data, height, unit, series);
      // For tests and for the curious in devtools: the chart's uPlot instance (its axes' labels).
      (chart as HTMLElement & { plot?: uPlot }).plot = plot;
      return { gauge, chart, data, plot };
    };
    const card: CgCard = {
      el,
      head,
      xs,
      rate: { cpu: 0, throttled: 0, at: 0 },
      slots: {
        memory: slot('memory', 92, 'MiB', [
          { label: 'memory MiB', stroke: '#5ccfe6', fill: 'rgba(92,207,230,0.15)', width: 2 },
          { label: 'limit', stroke: '#f28779', dash: [4, 4] },
          // The kernel's high-water mark: a burst between two samples still shows (the OOM lab's
          // hog lives a fraction of a second, so the samples alone often miss it).
          { label: 'peak', stroke: '#d2a6ff', dash: [2, 3], width: 1.5 },
        ]),
        pids: slot('pids', 72, 'pids', [
          { label: 'pids', stroke: '#95e6a0', fill: 'rgba(149,230,160,0.12)', width: 2 },
          { label: 'pids.max', stroke: '#f28779', dash: [4, 4] },
        ]),
        cpu: slot('cpu', 72, '%', [
          { label: 'CPU %', stroke: '#ffb454', fill: 'rgba(255,180,84,0.15)', width: 2 },
          { label: 'throttled %', stroke: '#f28779', width: 2 },
          { label: 'quota %', stroke: '#d2a6ff', dash: [4, 4] },
        ]),
      },
    };
    cards.set(path, card);
    return card;
  }

  const gaugeName = (kind: string) => (kind === 'memory' ? t('kv.g.memory') : kind);
  const notCounted = (kind: string, mode: 'v1' | 'v2') =>
    `<div class="kv-gauge kv-missing" data-kind="${kind}"><span>${esc(gaugeName(kind))}</span><span class="kv-note">${esc(t('kv.g.notCounted', { why: t(mode === 'v2' ? 'kv.g.notEnabled' : 'kv.g.notInHierarchy', { kind }) }))}</span></div>`;

  // The server sends cgroups only when a number changed: the charts still move with time, carrying
  // the last value forward once a second (and a CPU rate of 0: no message means no CPU used).
  // A gap is null, never NaN (NaN breaks uPlot's y range and blanks the chart).
  function pushPoint(card: CgCard, t: number): void {
    const c = card.last;
    if (!c || (card.xs.length && t <= card.xs[card.xs.length - 1])) return;
    if (t - card.rate.at > 1.2) card.rate = { cpu: 0, throttled: 0, at: t };
    const quota = c.cpu.quotaUsec && c.cpu.periodUsec ? (c.cpu.quotaUsec / c.cpu.periodUsec) * 100 : null;
    card.xs.push(t);
    const m = card.slots.memory.data;
    m[1].push(c.memory.current / MiB);
    m[2].push(c.memory.max === null ? null : c.memory.max / MiB);
    m[3].push(c.memory.peak === null ? null : c.memory.peak / MiB);
    const p = card.slots.pids.data;
    p[1].push(c.pids.current);
    p[2].push(c.pids.max);
    const u = card.slots.cpu.data;
    u[1].push(card.rate.cpu);
    u[2].push(card.rate.throttled);
    u[3].push(quota);
    // Keep what the axis shows (and the sample just before it, so the line starts at the left edge).
    let drop = 0;
    while (drop + 1 < card.xs.length && (card.xs[drop + 1] < t - WINDOW_S || card.xs.length - drop > MAX_SAMPLES)) drop++;
    if (drop) {
      card.xs.splice(0, drop);
      for (const s of Object.values(card.slots)) for (const a of s.data.slice(1)) a.splice(0, drop);
    }
    for (const s of Object.values(card.slots)) if (!s.chart.hidden) s.plot.setData(s.data as uPlot.AlignedData);
    describeCharts(card, path(card));
  }
  const path = (card: CgCard) => card.el.dataset.path ?? '/';

  /** The charts' text alternatives: what each shows, over how long, and where it is now. */
  function describeCharts(card: CgCard, p: string): void {
    const c = card.last;
    if (!c) return;
    const span = card.xs.length > 1 ? t('kv.chart.lastS', { n: Math.round(card.xs[card.xs.length - 1] - card.xs[0]) }) : t('kv.chart.lastSecond');
    const of = p === '/' ? t('kv.chart.yourSandbox') : t('kv.chart.cgroup', { path: p });
    const none = t('kv.chart.none');
    const series = (d: (number | null)[]) => d.filter((x): x is number => x !== null);
    const mem = series(card.slots.memory.data[1]);
    card.slots.memory.chart.setAttribute('aria-label', t('kv.chart.memory', { of, span, now: fmtMiB(c.memory.current), max: fmtMiB(Math.max(...mem, 0) * MiB), limit: c.memory.max === null ? none : fmtMiB(c.memory.max), peak: c.memory.peak === null ? none : fmtMiB(c.memory.peak) }));
    const pids = series(card.slots.pids.data[1]);
    card.slots.pids.chart.setAttribute('aria-label', t('kv.chart.pids', { of, span, now: c.pids.current, max: Math.max(...pids, 0), limit: c.pids.max ?? none }));
    const cpu = series(card.slots.cpu.data[1]);
    const quota = c.cpu.quotaUsec && c.cpu.periodUsec ? t('kv.chart.quota', { n: Math.round((c.cpu.quotaUsec / c.cpu.periodUsec) * 100) }) : none;
    card.slots.cpu.chart.setAttribute('aria-label', t('kv.chart.cpu', { of, span, now: card.rate.cpu.toFixed(0), max: Math.max(...cpu, 0).toFixed(0), quota }));
  }
  const chartTimer = setInterval(() => {
    const now = Date.now() / 1000;
    for (const card of cards.values()) if (!card.xs.length || now - card.xs[card.xs.length - 1] >= 0.9) pushPoint(card, now);
  }, 1000);

  function renderCgroups(m: CgroupsMessage): void {
    const { list, at, mode } = m;
    cgMore.innerHTML = moreNote(m, 'kv.moreCgroups');
    const own = list.find((c) => c.path === '/');
    const limitFile = mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes';
    hostWide.innerHTML = t('kv.cg.hostWide', { file: limitFile, limit: own?.memory.max ? `: <b>${fmtMiB(own.memory.max)}</b>` : '' });
    const seen = new Set<string>();
    const now = Date.now() / 1000;
    for (const c of list) {
      seen.add(c.path);
      const card = cardFor(c.path);
      // CPU rates from the kernel's cumulative counters, over the server's own timestamps.
      if (card.prev && at > card.prev.at) {
        const dtUsec = (at - card.prev.at) * 1000;
        card.rate = {
          cpu: Math.max(0, ((c.cpu.usageUsec - card.prev.usage) / dtUsec) * 100),
          throttled: Math.max(0, ((c.cpu.throttledUsec - card.prev.throttled) / dtUsec) * 100),
          at: now,
        };
      }
      card.prev = { usage: c.cpu.usageUsec, throttled: c.cpu.throttledUsec, at };
      card.last = c;
      const missing = new Set(c.missing ?? []);
      const pct = c.memory.max ? Math.min(100, (c.memory.current / c.memory.max) * 100) : 0;
      const pidPct = c.pids.max ? Math.min(100, (c.pids.current / c.pids.max) * 100) : 0;
      card.head.innerHTML = `<div class="kv-cg-head"><span class="kv-mono kv-cg-path">${esc(c.path === '/' ? t('kv.cg.yours') : c.path)}</span>${c.oomKills ? `<span class="kv-badge kv-oom">${esc(t(c.oomKills > 1 ? 'kv.cg.oom.other' : 'kv.cg.oom.one', { n: c.oomKills }))}</span>` : ''}</div>`;
      card.slots.memory.gauge.innerHTML = missing.has('memory') ? notCounted('memory', mode) : `<div class="kv-gauge" data-kind="memory"><span>${esc(t('kv.g.memory'))}</span><div class="kv-bar"><div style="width:${pct}%" class="${pct > 90 ? 'kv-hot' : ''}"></div></div><span class="kv-num">${fmtMiB(c.memory.current)} / ${fmtMiB(c.memory.max)}</span>${c.memory.peak === null ? '' : `<span class="kv-peak">${esc(t('kv.g.peak', { n: fmtMiB(c.memory.peak) }))}</span>`}</div>`;
      card.slots.pids.gauge.innerHTML = missing.has('pids') ? notCounted('pids', mode) : `<div class="kv-gauge" data-kind="pids"><span>pids</span><div class="kv-bar"><div style="width:${pidPct}%"></div></div><span class="kv-num">${c.pids.current} / ${c.pids.max ?? '∞'}</span></div>`;
      card.slots.cpu.gauge.innerHTML = missing.has('cpu') ? notCounted('cpu', mode) : `<div class="kv-cpu" data-kind="cpu">${t('kv.g.cpu', { used: (c.cpu.usageUsec / 1e6).toFixed(2), limit: c.cpu.quotaUsec && c.cpu.periodUsec ? t('kv.g.cpuLimit', { n: (c.cpu.quotaUsec / c.cpu.periodUsec).toFixed(2) }) : '', throttled: (c.cpu.throttledUsec / 1e6).toFixed(2), now: card.rate.cpu.toFixed(0) })}</div>`;
      for (const k of ['memory', 'pids', 'cpu'] as const) card.slots[k].chart.hidden = missing.has(k);
      pushPoint(card, now);
    }
    for (const [p, card] of cards) {
      if (!seen.has(p)) {
        for (const s of Object.values(card.slots)) s.plot.destroy();
        card.el.remove();
        cards.delete(p);
      }
    }
  }

  function addEvent(m: Extract<ServerEventMessage, { type: 'event' }>): void {
    let text: string;
    let cls = '';
    if (m.kind === 'oom') {
      text = t('kv.ev.oom', { path: m.path, count: m.count });
      cls = 'kv-oom';
    } else if (m.kind === 'throttle') {
      text = t('kv.ev.throttle', { path: m.path, s: (m.throttledUsec / 1e6).toFixed(1) });
      cls = 'kv-throttle';
    } else if (m.kind === 'step-passed') {
      text = t('kv.ev.passed', { n: m.step + 1 });
      cls = 'kv-passed';
    } else if (m.kind === 'exit') {
      text = t('kv.ev.exit', { name: m.terminal, code: String(m.code) });
    } else if (m.kind === 'announce') {
      text = t('kv.ev.announce', { text: m.text });
      cls = 'kv-announce';
    } else return;
    events.body.querySelector('.kv-empty')?.remove();
    const row = document.createElement('div');
    row.className = `kv-event ${cls}`;
    row.dataset.kind = m.kind;
    row.textContent = `${new Date(m.at).toLocaleTimeString(lang())} · ${text}`;
    events.body.prepend(row);
  }

  const unsubscribe = ctx.onEvent((m) => {
    if (m.type === 'kernel') renderKernel(m);
    else if (m.type === 'processes') renderProcesses(m);
    else if (m.type === 'cgroups') renderCgroups(m);
    else if (m.type === 'event') addEvent(m);
  });
  // The panel's width follows its splitter (and the window): the charts follow the panel.
  let chartWidth = width();
  const fitCharts = () => {
    if (root.clientWidth === 0 || width() === chartWidth) return;
    chartWidth = width();
    for (const card of cards.values()) for (const s of Object.values(card.slots)) s.plot.setSize({ width: chartWidth, height: s.plot.height });
  };
  const resizeObs = new ResizeObserver(fitCharts);
  resizeObs.observe(root);
  window.addEventListener('isoplay:presenter', fitCharts);
  return () => {
    unsubscribe();
    resizeObs.disconnect();
    nsResize.disconnect();
    window.removeEventListener('isoplay:presenter', fitCharts);
    clearInterval(uptimeTimer);
    clearInterval(chartTimer);
    for (const card of cards.values()) for (const s of Object.values(card.slots)) s.plot.destroy();
  };
}
