// Announcements to a workshop's room, kept with an expiry the instructor picks: every live session
// of the workshop gets the list as a snapshot message on its event bus (so a learner who joins or
// reconnects later sees what is still current), and a fresh one when an announcement is deleted or
// expires. Kept in memory, a bounded number per workshop.
import crypto from 'node:crypto';
import type { AnnouncementView } from '../protocol/api.js';

export const DEFAULT_ANNOUNCE_MINUTES = 15;
export const MAX_ANNOUNCE_MINUTES = 24 * 60;
/** Per workshop: an older announcement makes room for a new one. */
const MAX_PER_WORKSHOP = 20;

export class AnnouncementBoard {
  private readonly byWorkshop = new Map<string, AnnouncementView[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** `changed(workshopId)` runs after an announcement expires: the caller publishes the new list. */
  constructor(private readonly changed: (workshopId: string) => void) {}

  add(workshopId: string, text: string, minutes: number): AnnouncementView {
    const at = Date.now();
    const a: AnnouncementView = { id: `a${crypto.randomBytes(6).toString('hex')}`, text, at, expiresAt: at + minutes * 60_000 };
    const list = this.list(workshopId, at);
    list.push(a);
    while (list.length > MAX_PER_WORKSHOP) this.clearTimer(list.shift()!.id);
    this.byWorkshop.set(workshopId, list);
    const timer = setTimeout(() => {
      this.timers.delete(a.id);
      this.changed(workshopId);
    }, a.expiresAt - at + 50);
    timer.unref();
    this.timers.set(a.id, timer);
    return a;
  }

  /** The unexpired announcements, oldest first. */
  list(workshopId: string, now = Date.now()): AnnouncementView[] {
    const list = (this.byWorkshop.get(workshopId) ?? []).filter((a) => a.expiresAt > now);
    if (list.length) this.byWorkshop.set(workshopId, list);
    else this.byWorkshop.delete(workshopId);
    return [...list];
  }

  /** Expires one now; whether it was there. */
  remove(workshopId: string, id: string): boolean {
    const list = this.list(workshopId);
    const i = list.findIndex((a) => a.id === id);
    if (i < 0) return false;
    list.splice(i, 1);
    this.clearTimer(id);
    if (list.length) this.byWorkshop.set(workshopId, list);
    else this.byWorkshop.delete(workshopId);
    return true;
  }

  private clearTimer(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }
}
