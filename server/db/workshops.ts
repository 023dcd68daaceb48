// Workshops in the same embedded SQLite as progress (their own file): a title, a join code for
// learners, an instructor key (only its SHA-256 is stored), and who joined under which name.
// Everything survives a server restart.
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { openDatabase } from './open.js';

/** No 0/O, 1/I/L: a code read aloud or from a projector is typed right the first time. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_RE = /^[A-HJKMNP-Z2-9]{6}$/;

export interface Workshop {
  id: string;
  title: string;
  joinCode: string;
  createdAt: number;
  /** The workshop's shape (shape.ts): labs in order, a learner limit, start and end (ms), when it ended. */
  path: string[];
  learnerLimit: number | null;
  startsAt: number | null;
  endsAt: number | null;
  endedAt: number | null;
}

/** What create() may set besides the title. */
export interface WorkshopShapeFields {
  path?: string[];
  learnerLimit?: number | null;
  startsAt?: number | null;
  endsAt?: number | null;
}

/** Columns added after the first release: a file written before them is migrated on open. */
const ADDED_COLUMNS: [string, string][] = [
  ['path', "TEXT NOT NULL DEFAULT '[]'"],
  ['learner_limit', 'INTEGER'],
  ['starts_at', 'INTEGER'],
  ['ends_at', 'INTEGER'],
  ['ended_at', 'INTEGER'],
];

export interface Member {
  learner: string;
  name: string;
  joinedAt: number;
  /** The last command of the learner's last ended session (a live one's is the session's). */
  lastActivityAt?: number | null;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

export class WorkshopStore {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openDatabase(dataDir, 'workshops.db', `
      CREATE TABLE IF NOT EXISTS workshops (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, join_code TEXT NOT NULL UNIQUE,
        key_hash BLOB NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS members (
        workshop TEXT NOT NULL, learner TEXT NOT NULL, name TEXT NOT NULL, joined_at INTEGER NOT NULL,
        PRIMARY KEY (workshop, learner));
      CREATE TABLE IF NOT EXISTS history (
        workshop TEXT NOT NULL, learner TEXT NOT NULL, lab TEXT, step INTEGER, at INTEGER NOT NULL, command TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS history_by_workshop ON history (workshop, learner, at);`);
    const have = new Set((this.db.prepare('PRAGMA table_info(workshops)').all() as { name: string }[]).map((c) => c.name));
    for (const [name, type] of ADDED_COLUMNS) if (!have.has(name)) this.db.exec(`ALTER TABLE workshops ADD COLUMN ${name} ${type}`);
    const memberCols = new Set((this.db.prepare('PRAGMA table_info(members)').all() as { name: string }[]).map((c) => c.name));
    if (!memberCols.has('last_activity_at')) this.db.exec('ALTER TABLE members ADD COLUMN last_activity_at INTEGER');
  }

  create(title: string, shape: WorkshopShapeFields = {}): Workshop & { instructorKey: string } {
    const id = `w${crypto.randomBytes(6).toString('hex')}`;
    const instructorKey = crypto.randomBytes(24).toString('base64url');
    for (;;) {
      const bytes = crypto.randomBytes(6);
      const joinCode = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
      try {
        const createdAt = Date.now();
        const f = { path: shape.path ?? [], learnerLimit: shape.learnerLimit ?? null, startsAt: shape.startsAt ?? null, endsAt: shape.endsAt ?? null };
        this.db
          .prepare('INSERT INTO workshops (id, title, join_code, key_hash, created_at, path, learner_limit, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(id, title, joinCode, sha256(instructorKey), createdAt, JSON.stringify(f.path), f.learnerLimit, f.startsAt, f.endsAt);
        return { id, title, joinCode, createdAt, ...f, endedAt: null, instructorKey };
      } catch (e) {
        if (!String((e as Error).message).includes('UNIQUE')) throw e; // a code already taken: draw again
      }
    }
  }

  private row(where: string, v: string): Workshop | undefined {
    const r = this.db
      .prepare(`SELECT id, title, join_code AS joinCode, created_at AS createdAt, path, learner_limit AS learnerLimit, starts_at AS startsAt, ends_at AS endsAt, ended_at AS endedAt FROM workshops WHERE ${where} = ?`)
      .get(v) as (Omit<Workshop, 'path'> & { path: string }) | undefined;
    return r ? { ...r, path: JSON.parse(r.path) as string[] } : undefined;
  }

  /** Every workshop that has an end time and has not ended (their timers are armed at start). */
  open(): Workshop[] {
    const ids = this.db.prepare('SELECT id FROM workshops WHERE ended_at IS NULL AND ends_at IS NOT NULL').all() as { id: string }[];
    return ids.map((r) => this.byId(r.id)!);
  }

  setEndsAt(id: string, endsAt: number): void {
    this.db.prepare('UPDATE workshops SET ends_at = ? WHERE id = ?').run(endsAt, id);
  }

  markEnded(id: string, at: number): void {
    this.db.prepare('UPDATE workshops SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(at, id);
  }

  /** The workshop, its members and their recorded command history: gone. */
  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM history WHERE workshop = ?').run(id);
      this.db.prepare('DELETE FROM members WHERE workshop = ?').run(id);
      this.db.prepare('DELETE FROM workshops WHERE id = ?').run(id);
    })();
  }

  setLastActivity(workshop: string, learner: string, at: number): void {
    this.db.prepare('UPDATE members SET last_activity_at = ? WHERE workshop = ? AND learner = ?').run(at, workshop, learner);
  }

  isMember(workshop: string, learner: string): boolean {
    return this.db.prepare('SELECT 1 FROM members WHERE workshop = ? AND learner = ?').get(workshop, learner) !== undefined;
  }

  /** Commands a learner ran (from the sandbox shell's own history), with the lab step they were on. */
  addHistory(workshop: string, learner: string, lab: string | undefined, step: number | undefined, commands: string[]): void {
    const at = Date.now();
    const ins = this.db.prepare('INSERT INTO history (workshop, learner, lab, step, at, command) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const c of commands) ins.run(workshop, learner, lab ?? null, step ?? null, at, c);
    })();
  }

  history(workshop: string): { learner: string; lab: string | null; step: number | null; at: number; command: string }[] {
    return this.db.prepare('SELECT learner, lab, step, at, command FROM history WHERE workshop = ? ORDER BY learner, at, rowid').all(workshop) as never;
  }

  byId(id: string): Workshop | undefined {
    return this.row('id', id);
  }

  byCode(code: string): Workshop | undefined {
    return JOIN_CODE_RE.test(code) ? this.row('join_code', code) : undefined;
  }

  /** The workshop if `key` is its instructor key (constant-time comparison of the hashes). */
  authorize(id: string, key: string | undefined): Workshop | undefined {
    if (!key) return undefined;
    const r = this.db.prepare('SELECT key_hash AS h FROM workshops WHERE id = ?').get(id) as { h: Buffer } | undefined;
    if (!r || !crypto.timingSafeEqual(r.h, sha256(key))) return undefined;
    return this.byId(id);
  }

  /** Records (or renames) a learner in a workshop. */
  join(workshop: string, learner: string, name: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO members (workshop, learner, name, joined_at) VALUES (?, ?, ?, ?) ON CONFLICT (workshop, learner) DO UPDATE SET name = excluded.name')
        .run(workshop, learner, name, Date.now());
    })();
  }

  members(workshop: string): Member[] {
    return this.db.prepare('SELECT learner, name, joined_at AS joinedAt, last_activity_at AS lastActivityAt FROM members WHERE workshop = ? ORDER BY joined_at').all(workshop) as Member[];
  }

  close(): void {
    this.db.close();
  }
}
