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
}

export interface Member {
  learner: string;
  name: string;
  joinedAt: number;
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
        PRIMARY KEY (workshop, learner));`);
  }

  create(title: string): Workshop & { instructorKey: string } {
    const id = `w${crypto.randomBytes(6).toString('hex')}`;
    const instructorKey = crypto.randomBytes(24).toString('base64url');
    for (;;) {
      const bytes = crypto.randomBytes(6);
      const joinCode = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
      try {
        const createdAt = Date.now();
        this.db.prepare('INSERT INTO workshops (id, title, join_code, key_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(id, title, joinCode, sha256(instructorKey), createdAt);
        return { id, title, joinCode, createdAt, instructorKey };
      } catch (e) {
        if (!String((e as Error).message).includes('UNIQUE')) throw e; // a code already taken: draw again
      }
    }
  }

  private row(where: string, v: string): Workshop | undefined {
    const r = this.db.prepare(`SELECT id, title, join_code AS joinCode, created_at AS createdAt FROM workshops WHERE ${where} = ?`).get(v);
    return r as Workshop | undefined;
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
    return this.db.prepare('SELECT learner, name, joined_at AS joinedAt FROM members WHERE workshop = ? ORDER BY joined_at').all(workshop) as Member[];
  }

  close(): void {
    this.db.close();
  }
}
