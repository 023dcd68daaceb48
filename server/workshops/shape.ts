// The workshop's shape: a path of labs in order (learners land in its first lab), a learner limit,
// a start and an end time with warnings before the end (config.workshopWarningsMs: 10 and 2
// minutes), an extension, the end (every learner's sandbox closes with a reason their page shows;
// joins are refused; progress stays readable and exportable as CSV), the instructor's kill switch
// for one learner's session, the command history per step (from the sandbox shell's own history,
// never raw keystrokes), and admission within the host's capacity (capacity.ts).
import os from 'node:os';
import type { Config } from '../config.js';
import { IsoplayError } from '../errors.js';
import type { Workshop, WorkshopShapeFields, WorkshopStore } from '../db/workshops.js';
import type { LabService } from '../labs/service.js';
import type { WorkshopCapacityView, WorkshopDashboard } from '../protocol/api.js';
import type { CreateSessionOptions, Logger, SessionInfo, SessionRegistry } from '../sessions/types.js';
import { progressOf } from '../labs/session-lab.js';
import { hostCapacity, seatCost, workshopNeed, FORMULA } from './capacity.js';

/** setTimeout's longest delay; a later deadline re-arms when it fires. */
const MAX_DELAY = 2 ** 31 - 1;
/** A seat reserved by a join in progress (its sandbox is being made) is forgotten after this. */
const RESERVATION_MS = 2 * 60_000;
/** WebSocket close reasons are at most 123 bytes. */
const clip = (s: string, bytes = 120) => {
  let out = s;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -2) + '…';
  return out;
};

export interface ShapeInput {
  path?: string[];
  learnerLimit?: number;
  startsAt?: number;
  endsAt?: number;
}

/** One CSV cell: quoted when needed, and a leading = + - @ (a spreadsheet formula) neutralised with a '. */
export function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvRow = (cells: unknown[]) => cells.map(csvCell).join(',') + '\r\n';

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : '');

export class WorkshopShape {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  /** Joins under way: workshop id → learner → when (their sandbox is still being made). */
  private readonly reserved = new Map<string, Map<string, number>>();
  /** How many bytes of each session's shell history file were read already. */
  private readonly historyRead = new Map<string, number>();
  /** The history read under way per session (reads of one session run one after another). */
  private readonly reading = new Map<string, Promise<void>>();

  constructor(
    private readonly store: WorkshopStore,
    private readonly registry: SessionRegistry,
    private readonly labs: LabService,
    private readonly config: Config,
    private readonly log: Logger | undefined,
  ) {}

  /** Checks a new workshop's shape: every lab id known (400 naming the unknown one), times in order. */
  validate(input: ShapeInput): WorkshopShapeFields {
    const path = input.path ?? [];
    for (const id of path) {
      if (!this.labs.catalog.get(id)) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: `path: no lab with id "${id}" in the catalogue` });
    }
    if (new Set(path).size !== path.length) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'path: a lab is listed twice' });
    const { startsAt, endsAt } = input;
    if (endsAt !== undefined && endsAt <= Date.now()) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'endsAt: the end time is already past' });
    if (startsAt !== undefined && endsAt !== undefined && endsAt <= startsAt) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'endsAt: the end must come after the start (startsAt)' });
    return { path, learnerLimit: input.learnerLimit ?? null, startsAt: startsAt ?? null, endsAt: endsAt ?? null };
  }

  /** Refuses joins before the start, after the end, beyond the learner limit or the host's capacity. */
  attach(): void {
    this.registry.addHooks({
      beforeCreate: (opts) => this.admit(opts),
      onSessionStart: (s) => {
        const w = s.workshop ? this.store.byCode(s.workshop.code) : undefined;
        if (w) this.reserved.get(w.id)?.delete(s.learner);
      },
      onSessionEnd: (s) => {
        this.historyRead.delete(s.id);
        // The dashboard and its CSV keep the learner's last command after the sandbox is gone.
        const w = s.workshop ? this.store.byCode(s.workshop.code) : undefined;
        if (w && s.lastActivityAt) this.store.setLastActivity(w.id, s.learner, s.lastActivityAt);
      },
    });
    for (const w of this.store.open()) this.arm(w);
  }

  close(): void {
    for (const list of this.timers.values()) list.forEach(clearTimeout);
    this.timers.clear();
  }

  /** The lab a learner lands in when the session asks for none: the path's first. */
  landingLab(code: string | undefined): string | undefined {
    const w = code ? this.store.byCode(code) : undefined;
    return w?.path[0];
  }

  private isVmLab(id: string | undefined): boolean {
    return !!id && this.labs.catalog.get(id)?.manifest.requires.vm === true;
  }

  private admit(opts: CreateSessionOptions): void {
    if (opts.workshop === undefined) return;
    const w = this.store.byCode(opts.workshop);
    if (!w) return; // the workshop service's hook says 404
    const now = Date.now();
    if (w.endedAt !== null || (w.endsAt !== null && now >= w.endsAt)) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_ENDED', { title: w.title });
    if (w.startsAt !== null && now < w.startsAt) {
      throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_NOT_STARTED', { title: w.title, at: `${new Date(w.startsAt).toISOString().slice(0, 16).replace('T', ' ')} UTC` });
    }
    const learner = opts.learner && /^[A-Za-z0-9_-]{8,64}$/.test(opts.learner) ? opts.learner : undefined;
    const member = learner !== undefined && this.store.isMember(w.id, learner);
    const pending = this.reserved.get(w.id) ?? new Map<string, number>();
    for (const [l, at] of pending) if (now - at > RESERVATION_MS) pending.delete(l);
    if (!member && w.learnerLimit !== null) {
      const others = [...pending.keys()].filter((l) => l !== learner).length;
      if (this.store.members(w.id).length + others >= w.learnerLimit) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_FULL', { title: w.title, limit: w.learnerLimit });
    }
    // The host's seats: every live session's cost, the joins under way, and this one's.
    const cap = hostCapacity(this.config);
    const lab = opts.lab ?? w.path[0];
    const used = this.registry.list().reduce((n, s) => n + seatCost(this.isVmLab(s.lab), this.config), 0) + [...this.reserved.values()].reduce((n, m) => n + m.size, 0);
    if (used + seatCost(this.isVmLab(lab), this.config) > cap.seats) {
      this.log?.warn({ audit: 'workshop-capacity', workshop: w.id, used, seats: cap.seats }, 'join refused: the host is at capacity');
      throw new IsoplayError('ISOPLAY_ERR_ROOM_FULL', { seats: cap.seats });
    }
    if (learner) {
      pending.set(learner, now);
      this.reserved.set(w.id, pending);
    }
  }

  private live(w: Workshop): SessionInfo[] {
    return this.registry.list().filter((s) => s.workshop?.code === w.joinCode);
  }

  /** A new workshop: its warnings and end are armed. */
  created(id: string): void {
    const w = this.store.byId(id);
    if (w) this.arm(w);
  }

  /** Arms the warnings and the end of a workshop with an end time (again after an extension). */
  arm(w: Workshop): void {
    for (const t of this.timers.get(w.id) ?? []) clearTimeout(t);
    this.timers.delete(w.id);
    if (w.endsAt === null || w.endedAt !== null) return;
    const endsAt = w.endsAt;
    const now = Date.now();
    const list: NodeJS.Timeout[] = [];
    const at = (when: number, fn: () => void) => {
      const delay = Math.max(0, when - now);
      const t = setTimeout(delay > MAX_DELAY ? () => this.arm(this.store.byId(w.id)!) : fn, Math.min(delay, MAX_DELAY));
      t.unref();
      list.push(t);
    };
    // Only warnings still ahead: a workshop that ends in 5 minutes gets the 2-minute one.
    for (const ms of this.config.workshopWarningsMs) if (endsAt - ms > now) at(endsAt - ms, () => this.warn(w.id, endsAt));
    at(endsAt, () => void this.end(w.id, 'the workshop ended (its end time passed)'));
    this.timers.set(w.id, list);
  }

  private warn(id: string, endsAt: number, extended = false): void {
    const w = this.store.byId(id);
    if (!w || w.endedAt !== null) return;
    const at = Date.now();
    for (const s of this.live(w)) s.bus.publish({ type: 'event', at, kind: 'workshop-ending', endsAt, ...(extended ? { extended } : {}) });
  }

  /** The instructor gives the room more time: the end moves by `minutes` (from now, if it had passed). */
  extend(w: Workshop, minutes: number): { endsAt: number } {
    if (w.endedAt !== null) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_ENDED', { title: w.title });
    const endsAt = Math.max(w.endsAt ?? Date.now(), Date.now()) + minutes * 60_000;
    this.store.setEndsAt(w.id, endsAt);
    this.arm(this.store.byId(w.id)!);
    this.warn(w.id, endsAt, true);
    return { endsAt };
  }

  /** Ends the workshop: no more joins, every learner's sandbox closes with `reason`; the progress stays. */
  async end(id: string, reason: string): Promise<{ closed: number }> {
    const w = this.store.byId(id);
    if (!w) return { closed: 0 };
    for (const t of this.timers.get(id) ?? []) clearTimeout(t);
    this.timers.delete(id);
    this.store.markEnded(id, Date.now());
    const live = this.live(w);
    // The last commands are read before the sandboxes go (all at once: a room of 60 is not 60 waits).
    await Promise.allSettled(live.map((s) => this.collectHistory(s)));
    await Promise.all(live.map((s) => this.registry.destroy(s.id, clip(reason))));
    this.log?.info({ audit: 'workshop-end', workshop: id, closed: live.length }, 'workshop ended');
    return { closed: live.length };
  }

  /** The workshop, its members and their history: gone (its learners' sandboxes close first). */
  async remove(id: string): Promise<void> {
    await this.end(id, 'the workshop was deleted by its instructor');
    this.store.delete(id);
    this.reserved.delete(id);
  }

  /** The kill switch: one learner's session ends with the instructor's reason, shown on their page. */
  async kill(w: Workshop, sessionId: string, reason: string): Promise<void> {
    const s = this.registry.get(sessionId);
    // Only a session of this workshop: another workshop's instructor cannot end it.
    if (!s || s.workshop?.code !== w.joinCode) throw new IsoplayError('ISOPLAY_ERR_SESSION_NOT_FOUND', { id: sessionId });
    await this.collectHistory(s);
    this.log?.info({ audit: 'workshop-kill', workshop: w.id, session: sessionId }, 'the instructor ended a session');
    await this.registry.destroy(sessionId, clip(`the instructor ended this session: ${reason}`));
  }

  /** The dashboard as CSV: one row per learner. */
  exportCsv(d: WorkshopDashboard): string {
    let out = csvRow(['name', 'online', 'lab', 'step', 'passed', 'steps', 'last activity', 'help requested', 'memory MiB', 'oom kills']);
    for (const l of d.learners) {
      out += csvRow([
        l.name,
        l.online ? 'yes' : 'no',
        l.lab ?? '',
        l.steps && l.passed === l.steps ? 'done' : (l.currentStep ?? ''),
        l.passed,
        l.steps,
        iso(l.lastActivityAt),
        iso(l.helpRequestedAt),
        l.memory ? Math.round(l.memory.current / 1048576) : '',
        l.oomKills ?? '',
      ]);
    }
    return out;
  }

  /** The command history of the workshop's learners, per lab step, as CSV. */
  async historyCsv(w: Workshop): Promise<string> {
    await Promise.allSettled(this.live(w).map((s) => this.collectHistory(s)));
    const names = new Map(this.store.members(w.id).map((m) => [m.learner, m.name]));
    let out = csvRow(['name', 'lab', 'step', 'time', 'command']);
    for (const h of this.store.history(w.id)) out += csvRow([names.get(h.learner) ?? '', h.lab ?? '', h.step === null ? '' : h.step + 1, iso(h.at), h.command]);
    return out;
  }

  /** Follows a workshop learner's shell history after every command (see collectHistory). */
  watchHistory(s: SessionInfo): void {
    if (!s.workshop || !s.sandbox) return;
    s.onActivity(() => void this.collectHistory(s));
  }

  /**
   * Reads what the sandbox's bash appended to its own history file (/etc/bash.bashrc runs
   * `history -a` before each prompt) since the last read, run inside the sandbox (never through the
   * host's view of its files: a symlink there would point at the host's), and files the new commands
   * under the lab step the learner is on.
   */
  private collectHistory(s: SessionInfo): Promise<void> {
    // One read at a time per session: two at once would both start at the same offset and file
    // the same commands twice.
    const next = (this.reading.get(s.id) ?? Promise.resolve()).then(() => this.readHistory(s));
    const settled = next.catch(() => undefined);
    this.reading.set(s.id, settled);
    void settled.then(() => this.reading.get(s.id) === settled && this.reading.delete(s.id));
    return next;
  }

  private async readHistory(s: SessionInfo): Promise<void> {
    const w = s.workshop ? this.store.byCode(s.workshop.code) : undefined;
    if (!w || !s.sandbox) return;
    // The step the command was run on: read now, before the check it triggers may pass that step.
    const lab = s.lab ? this.labs.catalog.get(s.lab) : undefined;
    const step = lab ? progressOf(this.labs.progress, s.learner, lab).current : undefined;
    const from = this.historyRead.get(s.id) ?? 0;
    let r;
    try {
      r = await s.sandbox.run(['/bin/sh', '-c', 'tail -c +$(( $1 + 1 )) /root/.bash_history 2>/dev/null | head -c 65536', 'sh', String(from)], { timeoutMs: 3000 });
    } catch {
      return; // busy or gone: the next command reads it
    }
    const text = r.stdout ?? '';
    if (!text) return;
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    this.historyRead.set(s.id, from + Buffer.byteLength(complete));
    const commands = complete.split('\n').filter((c) => c.trim() && !/^#\d+$/.test(c)).map((c) => c.slice(0, 2000));
    if (!commands.length) return;
    this.store.addHistory(w.id, s.learner, s.lab, step, commands);
  }

  /** The host's capacity and what this workshop's path needs. */
  capacity(w: Workshop): WorkshopCapacityView {
    const cap = hostCapacity(this.config);
    const path = w.path.map((id) => ({ id, vm: this.isVmLab(id) }));
    const need = workshopNeed(path, w.learnerLimit ?? Math.max(1, this.store.members(w.id).length), this.config);
    const used = this.registry.list().reduce((n, s) => n + seatCost(this.isVmLab(s.lab), this.config), 0);
    return { ...cap, formula: FORMULA, used, need, fits: need.total <= cap.seats };
  }

  /** Where the room can reach this server: the host's non-loopback addresses and the port. */
  addresses(port: number): { host: string; port: number; loopbackOnly: boolean; addresses: { iface: string; address: string; family: 'IPv4' | 'IPv6' }[] } {
    const all: { iface: string; address: string; family: 'IPv4' | 'IPv6' }[] = [];
    for (const [iface, list] of Object.entries(os.networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.internal || (a.family === 'IPv6' && a.address.startsWith('fe80:'))) continue;
        all.push({ iface, address: a.address, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' });
      }
    }
    const h = this.config.host;
    const loopbackOnly = h === 'localhost' || h === '::1' || h.startsWith('127.');
    return { host: h, port, loopbackOnly, addresses: all };
  }
}
