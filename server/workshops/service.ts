// Workshops: an instructor creates one and gets a join code for the room and an instructor key for
// the dashboard; learners join with the code and a name; the dashboard shows, for every learner,
// where they are (lab, step), whether they are connected, when they last ran a command, whether
// they asked for help, and their sandbox's memory and OOM kills, from the live sessions, the lab
// service and the workshop store. The routes in http/workshops.ts only map requests onto this.
import { IsoplayError } from '../errors.js';
import { JOIN_CODE_RE, type Workshop, type WorkshopShapeFields, type WorkshopStore } from '../db/workshops.js';
import type { CgroupsMessage } from '../protocol/events.js';
import type { CreateWorkshopResponse, WorkshopDashboard, WorkshopLearner } from '../protocol/api.js';
import type { LabService } from '../labs/service.js';
import type { SessionInfo, SessionRegistry } from '../sessions/types.js';

export class WorkshopService {
  /** When each session's learner asked for help (by session id); forgotten with the session. */
  private readonly help = new Map<string, number>();

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
      },
      onSessionEnd: (s) => void this.help.delete(s.id),
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

  /** A learner asks for help (or withdraws it); the first request's time is kept. */
  setHelp(s: SessionInfo, on: boolean): number | undefined {
    if (!s.workshop) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'this session is not in a workshop' });
    if (on) this.help.set(s.id, this.help.get(s.id) ?? Date.now());
    else this.help.delete(s.id);
    return this.help.get(s.id);
  }

  /** The instructor tells the room something: every live session of the workshop gets an event. */
  announce(id: string, key: string | undefined, text: string): { delivered: number } {
    const live = this.live(this.authorize(id, key));
    const at = Date.now();
    for (const s of live) s.bus.publish({ type: 'event', at, kind: 'announce', text });
    return { delivered: live.length };
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
        helpRequestedAt: s ? this.help.get(s.id) : undefined,
      };
    });
    return {
      id: w.id, title: w.title, joinCode: w.joinCode, createdAt: w.createdAt, now: Date.now(), learners,
      path: w.path, learnerLimit: w.learnerLimit, startsAt: w.startsAt, endsAt: w.endsAt, endedAt: w.endedAt,
    };
  }
}
