// Where the room is stuck: a heatmap of the workshop's learners by the steps of its path (or, until
// a workshop has a path, of the labs its learners are in, in catalogue order), each cell passed, on
// it, stuck (on it, online, for more than N minutes without passing), asked for help, or not reached;
// and per step the most common failed-check reasons (the labs' stable reason ids) with how many
// learners hit each and how many checks failed with it. Built from two queries over the progress
// database for the whole room (no per-learner reads): cheap enough to poll for 200 learners.
import type { Heatmap, HeatCell, HeatmapColumn, HeatmapRow, StepReasons } from '../protocol/api.js';
import type { Lab } from '../labs/catalog.js';

/** A learner on one step for longer than this (online, not passing) is stuck, unless the workshop says otherwise. */
export const DEFAULT_STUCK_MINUTES = 10;
export const MAX_STUCK_MINUTES = 240;
/** Reasons shown per step: the most common ones. */
const TOP_REASONS = 5;

export interface HeatmapMember {
  learner: string;
  name: string;
  joinedAt: number;
  /** The learner's newest live session in the workshop, if any. */
  session?: { id: string; lab?: string; createdAt: number; online: boolean };
  /** The learner's open help request (ms since epoch). */
  helpAt?: number;
}

export interface HeatmapInput {
  /** The columns' labs, in order. */
  labs: Lab[];
  members: HeatmapMember[];
  passes: { learner: string; lab: string; step: number; passedAt: number }[];
  failures: { learner: string; lab: string; step: number; reason: string; count: number; lastAt: number }[];
  /** The lab each learner passed a step in most recently (where an offline learner was). */
  latestLab: Map<string, string>;
  stuckMinutes: number;
  now: number;
}

/**
 * The labs whose steps are the columns: the workshop's path when it has one, else the labs its
 * learners are in (live session or latest progress), in catalogue order.
 */
export function heatmapLabs(catalogue: Iterable<Lab>, path: readonly string[] | undefined, inUse: Iterable<string | undefined>): Lab[] {
  const all = [...catalogue];
  if (path?.length) return path.map((id) => all.find((l) => l.id === id)).filter((l): l is Lab => !!l);
  const used = new Set(inUse);
  return all.filter((l) => used.has(l.id));
}

export function buildHeatmap(input: HeatmapInput): Heatmap {
  const { labs, members, stuckMinutes, now } = input;
  const columns: HeatmapColumn[] = [];
  const colOf = new Map<string, number>();
  for (const lab of labs) {
    lab.steps.forEach((s, i) => {
      colOf.set(`${lab.id}\u0000${i}`, columns.length);
      columns.push({ lab: lab.id, labTitle: lab.manifest.title, step: i, title: s.title });
    });
  }
  const passed = new Map<string, Map<string, { step: number; passedAt: number }[]>>();
  for (const p of input.passes) {
    const byLab = passed.get(p.learner) ?? passed.set(p.learner, new Map()).get(p.learner)!;
    (byLab.get(p.lab) ?? byLab.set(p.lab, []).get(p.lab)!).push(p);
  }
  // The learner's latest failed reason per column, and per column: reason → learners, checks.
  const lastReason = new Map<string, { reason: string; at: number }>();
  const perCol = new Map<number, Map<string, { learners: number; checks: number }>>();
  for (const f of input.failures) {
    const col = colOf.get(`${f.lab}\u0000${f.step}`);
    if (col === undefined) continue;
    const key = `${f.learner}\u0000${col}`;
    const prev = lastReason.get(key);
    if (!prev || f.lastAt > prev.at) lastReason.set(key, { reason: f.reason, at: f.lastAt });
    const reasons = perCol.get(col) ?? perCol.set(col, new Map()).get(col)!;
    const r = reasons.get(f.reason) ?? reasons.set(f.reason, { learners: 0, checks: 0 }).get(f.reason)!;
    r.learners++;
    r.checks += f.count;
  }
  const stuckMs = stuckMinutes * 60_000;
  const rows: HeatmapRow[] = members.map((m) => {
    const cells: HeatCell[] = columns.map(() => 'todo');
    const byLab = passed.get(m.learner);
    let currentCol: number | undefined;
    let since: number | undefined;
    for (const lab of labs) {
      const done = byLab?.get(lab.id) ?? [];
      const set = new Set(done.map((p) => p.step));
      for (const s of set) {
        const c = colOf.get(`${lab.id}\u0000${s}`);
        if (c !== undefined) cells[c] = 'passed';
      }
    }
    // The learner is on the first step not passed of the lab they are in (their live session's, or where they last passed a step).
    const here = m.session?.lab ?? input.latestLab.get(m.learner);
    const lab = labs.find((l) => l.id === here);
    if (lab) {
      const done = byLab?.get(lab.id) ?? [];
      const set = new Set(done.map((p) => p.step));
      let cur = 0;
      while (cur < lab.steps.length && set.has(cur)) cur++;
      if (cur < lab.steps.length) {
        currentCol = colOf.get(`${lab.id}\u0000${cur}`)!;
        // On it since the later of: the last pass in this lab, the session's start in this lab, joining.
        const lastPass = done.reduce((t, p) => Math.max(t, p.passedAt), 0);
        since = Math.max(lastPass, m.session?.lab === lab.id ? m.session.createdAt : 0, m.joinedAt);
        const online = !!m.session?.online;
        cells[currentCol] = m.helpAt !== undefined ? 'help' : online && now - since > stuckMs ? 'stuck' : 'current';
      }
    }
    const row: HeatmapRow = { name: m.name, online: !!m.session?.online, cells };
    if (m.session) row.sessionId = m.session.id;
    if (m.helpAt !== undefined) row.help = true;
    if (currentCol !== undefined) {
      row.currentCol = currentCol;
      row.since = since;
      const r = lastReason.get(`${m.learner}\u0000${currentCol}`);
      if (r) row.reason = r.reason;
    }
    return row;
  });
  const reasons: StepReasons[] = [...perCol]
    .sort((a, b) => a[0] - b[0])
    .map(([col, map]) => {
      const c = columns[col];
      const lab = labs.find((l) => l.id === c.lab)!;
      const messages = lab.steps[c.step].failures ?? {};
      return {
        col,
        reasons: [...map]
          .sort((a, b) => b[1].learners - a[1].learners || b[1].checks - a[1].checks || a[0].localeCompare(b[0]))
          .slice(0, TOP_REASONS)
          .map(([id, n]) => ({ id, ...(Object.hasOwn(messages, id) ? { message: messages[id] } : {}), learners: n.learners, checks: n.checks })),
      };
    });
  return { stuckMinutes, columns, rows, reasons };
}
