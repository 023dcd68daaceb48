// Workshops: an instructor creates one and gets a join code for the room and an instructor key for
// the dashboard; learners join with the code and a name; the dashboard shows, for every learner,
// where they are (lab, step), whether they are connected, when they last ran a command, whether
// they asked for help, and their sandbox's memory and OOM kills, from the live sessions, the lab
// service and the workshop store. The routes in http/workshops.ts only map requests onto this.
import { IsoplayError } from '../errors.js';
import { JOIN_CODE_RE, type Workshop, type WorkshopShapeFields, type WorkshopStore } from '../db/workshops.js';
import type { CgroupsMessage } from '../protocol/events.js';
import type { CreateWorkshopResponse, WorkshopDashboard, WorkshopInsight, WorkshopLearner } from '../protocol/api.js';
import { AnnouncementBoard, DEFAULT_ANNOUNCE_MINUTES } from './announcements.js';
import { buildHeatmap, DEFAULT_STUCK_MINUTES, heatmapLabs } from './heatmap.js';
import { HelpQueue, helpText } from './help-queue.js';
import type { LabService } from '../labs/service.js';
import type { SessionInfo, SessionRegistry } from '../sessions/types.js';

export class WorkshopService {
  /** Open requests for help, by session id (with their time and text); forgotten with the session. */
  readonly help = new HelpQueue();
  /** Unexpired announcements per workshop; an expiry publishes the new list to the room. */
  readonly board = new AnnouncementBoard((id) => {
    const w = this.store.byId(id);
    if (w) this.publishAnnouncements(w);
  });
  /** The heatmap's stuck limit per workshop, in minutes (the instructor sets it; default DEFAULT_STUCK_MINUTES). */
  private readonly stuckMinutes = new Map<string, number>();

  constructor(
    readonly store: WorkshopStore,
    private readonly registry: SessionRegistry,
    private readonly labs: LabService,
  ) {}

  /** Refuses a join with an unknown code or no name; records the learner as a member of the room. */
  attach(): void {
    this.registry.addHooks({
      beforeCreate: (opts) => {
        if (opts.workshop === undefined) return;
        if (!this.store.byCode(opts.workshop)) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_NOT_FOUND', { code: opts.workshop });
        if (!opts.name?.trim()) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'joining a workshop needs your name (field "name")' });
      },
      onSessionStart: (s) => {
        const w = s.workshop ? this.store.byCode(s.workshop.code) : undefined;
        if (w && s.workshop?.name) this.store.join(w.id, s.learner, s.workshop.name);
        // A learner who joins later sees the announcements still current.
        if (w) s.bus.publish({ type: 'announcements', at: Date.now(), list: this.board.list(w.id) });
      },
      onSessionEnd: (s) => void this.help.drop(s.id),
    });
  }

  exists(code: string): boolean {
    return this.store.byCode(code) !== undefined;
  }

  create(title: string, shape: WorkshopShapeFields = {}): CreateWorkshopResponse {
    const w = this.store.create(title.trim(), shape);
    return { id: w.id, title: w.title, joinCode: w.joinCode, instructorKey: w.instructorKey };
  }

  /** What the join page shows before the learner types a name. */
  joinInfo(code: string): { title: string; joinCode: string; path?: string[]; startsAt?: number; endsAt?: number; ended?: boolean } {
    const upper = code.toUpperCase();
    const w = JOIN_CODE_RE.test(upper) ? this.store.byCode(upper) : undefined;
    if (!w) throw new IsoplayError('ISOPLAY_ERR_WORKSHOP_NOT_FOUND', { code: code.slice(0, 16) });
    // The shape's fields only when set: a plain workshop answers as before.
    return {
      title: w.title,
      joinCode: w.joinCode,
      ...(w.path.length ? { path: w.path } : {}),
      ...(w.startsAt !== null ? { startsAt: w.startsAt } : {}),
      ...(w.endsAt !== null ? { endsAt: w.endsAt } : {}),
      ...(w.endedAt !== null ? { ended: true } : {}),
    };
  }

  authorize(id: string, key: string | undefined): Workshop {
    const w = this.store.authorize(id, key);
    if (!w) throw new IsoplayError('ISOPLAY_ERR_INSTRUCTOR_KEY', { id });
    return w;
  }

  private live(w: Workshop): SessionInfo[] {
    return this.registry.list().filter((s) => s.workshop?.code === w.joinCode);
  }

  /** A learner asks for help, with an optional line of text (or withdraws it); the first request's time is kept. */
  setHelp(s: SessionInfo, on: boolean, text?: string): number | undefined {
    if (!s.workshop) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'this session is not in a workshop' });
    if (on) this.help.raise(s.id, helpText(text));
    else this.help.drop(s.id);
    return this.help.get(s.id)?.at;
  }

  /** The instructor resolves a learner's request: only a session of this workshop; the learner's page hears it. */
  resolveHelp(id: string, key: string | undefined, sessionId: string): { resolved: boolean } {
    const w = this.authorize(id, key);
    const s = this.registry.get(sessionId);
    if (!s || s.workshop?.code !== w.joinCode) throw new IsoplayError('ISOPLAY_ERR_SESSION_NOT_FOUND', { id: sessionId });
    const resolved = this.help.drop(s.id);
    if (resolved) s.bus.publish({ type: 'event', at: Date.now(), kind: 'help-resolved' });
    return { resolved };
  }

  /** The instructor tells the room something, for `minutes`: every live session of the workshop gets it, and so does a learner who joins before it expires. */
  announce(id: string, key: string | undefined, text: string, minutes = DEFAULT_ANNOUNCE_MINUTES): { delivered: number } {
    const w = this.authorize(id, key);
    const a = this.board.add(w.id, text, minutes);
    const live = this.live(w);
    for (const s of live) s.bus.publish({ type: 'event', at: a.at, kind: 'announce', text });
    this.publishAnnouncements(w);
    return { delivered: live.length };
  }

  /** Expires an announcement now (the learners' pages drop it). */
  removeAnnouncement(id: string, key: string | undefined, announcement: string): { removed: boolean } {
    const w = this.authorize(id, key);
    const removed = this.board.remove(w.id, announcement);
    if (removed) this.publishAnnouncements(w);
    return { removed };
  }

  private publishAnnouncements(w: Workshop): void {
    const list = this.board.list(w.id);
    const at = Date.now();
    for (const s of this.live(w)) s.bus.publish({ type: 'announcements', at, list });
  }

  /** How long on one step, online and not passing, counts as stuck on this workshop's heatmap. */
  setStuckMinutes(id: string, key: string | undefined, minutes: number): { stuckMinutes: number } {
    const w = this.authorize(id, key);
    this.stuckMinutes.set(w.id, minutes);
    return { stuckMinutes: minutes };
  }

  /** The heatmap, the help queue and the announcements: a few queries for the whole room. */
  private insight(w: Workshop & { path?: string[] }, live: SessionInfo[], now: number): WorkshopInsight {
    const members = this.store.members(w.id);
    const newest = new Map<string, SessionInfo>();
    for (const s of live) if ((newest.get(s.learner)?.createdAt ?? -1) < s.createdAt) newest.set(s.learner, s);
    const learners = members.map((m) => m.learner);
    const latestLab = this.labs.progress.latestLabs(learners);
    const labs = heatmapLabs(this.labs.catalog.labs.values(), w.path, members.map((m) => newest.get(m.learner)?.lab ?? latestLab.get(m.learner)));
    const labIds = labs.map((l) => l.id);
    const heatmap = buildHeatmap({
      labs,
      members: members.map((m) => {
        const s = newest.get(m.learner);
        return { ...m, session: s && { id: s.id, lab: s.lab, createdAt: s.createdAt, online: !!s.attached }, helpAt: s && this.help.get(s.id)?.at };
      }),
      passes: this.labs.progress.passesOf(learners, labIds),
      failures: this.labs.progress.failuresOf(learners, labIds),
      latestLab,
      stuckMinutes: this.stuckMinutes.get(w.id) ?? DEFAULT_STUCK_MINUTES,
      now,
    });
    const nameOf = new Map(members.map((m) => [m.learner, m.name]));
    const help = this.help.list(live.map((s) => s.id)).map((r) => ({ ...r, name: nameOf.get(this.registry.get(r.sessionId)?.learner ?? '') ?? '?' }));
    return { heatmap, help, announcements: this.board.list(w.id, now) };
  }

  dashboard(id: string, key: string | undefined): WorkshopDashboard {
    const w = this.authorize(id, key);
    const live = this.live(w);
    const learners = this.store.members(w.id).map((m): WorkshopLearner => {
      const s = live.filter((x) => x.learner === m.learner).sort((a, b) => b.createdAt - a.createdAt)[0];
      // A learner of a workshop with a path is in its first lab until their progress says otherwise.
      const labId = s?.lab ?? this.labs.progress.latestLab(m.learner) ?? w.path[0];
      const lab = labId ? this.labs.catalog.get(labId) : undefined;
      const standing = lab ? this.labs.standing(m.learner, lab) : undefined;
      const cgroups = s?.bus.snapshot().find((x): x is CgroupsMessage => x.type === 'cgroups');
      const root = cgroups?.list.find((c) => c.path === '/');
      return {
        name: m.name,
        online: !!s?.attached,
        sessionId: s?.id,
        lab: lab?.id,
        labTitle: lab?.manifest.title,
        passed: standing?.passed ?? 0,
        steps: lab?.steps.length ?? 0,
        currentStep: standing?.current,
        lastActivityAt: s?.lastActivityAt ?? m.lastActivityAt ?? undefined,
        memory: root ? { current: root.memory.current, max: root.memory.max } : undefined,
        oomKills: cgroups ? cgroups.list.reduce((n, c) => n + c.oomKills, 0) : undefined,
        helpRequestedAt: s ? this.help.get(s.id)?.at : undefined,
      };
    });
    const now = Date.now();
    return {
      id: w.id, title: w.title, joinCode: w.joinCode, createdAt: w.createdAt, now, learners, insight: this.insight(w, live, now),
      path: w.path, learnerLimit: w.learnerLimit, startsAt: w.startsAt, endsAt: w.endsAt, endedAt: w.endedAt,
    };
  }
}
