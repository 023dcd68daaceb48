// Learner progress in an embedded SQLite database (better-sqlite3, WAL): every write is one
// transaction, so a crash mid-write loses nothing. Keyed by the learner token the browser keeps.
// When the disk is full, a passed step is kept in memory (shown as passed, written as soon as a
// write succeeds again: the next write, or the retry timer), never lost and never half-written.
import type Database from 'better-sqlite3';
import { isDiskFull } from '../errors.js';
import { openDatabase } from './open.js';

interface UnsavedPass {
  learner: string;
  lab: string;
  step: number;
  passedAt: number;
  message: string;
}

export interface StepProgress {
  step: number;
  passedAt: number;
  message: string;
}

export class ProgressStore {
  private readonly db: Database.Database;
  /** Passes the disk had no room for, in order; flushed before every write and every 5 s. */
  private readonly unsaved: UnsavedPass[] = [];
  private retry: ReturnType<typeof setInterval> | undefined;

  constructor(dataDir: string) {
    this.db = openDatabase(dataDir, 'progress.db', `
      CREATE TABLE IF NOT EXISTS progress (
        learner TEXT NOT NULL, lab TEXT NOT NULL, step INTEGER NOT NULL,
        passed_at INTEGER NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (learner, lab, step));
      CREATE TABLE IF NOT EXISTS predictions (
        learner TEXT NOT NULL, lab TEXT NOT NULL, step INTEGER NOT NULL,
        choice INTEGER NOT NULL, correct INTEGER NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (learner, lab, step));
      CREATE TABLE IF NOT EXISTS step_failures (
        learner TEXT NOT NULL, lab TEXT NOT NULL, step INTEGER NOT NULL, reason TEXT NOT NULL,
        count INTEGER NOT NULL, last_at INTEGER NOT NULL,
        PRIMARY KEY (learner, lab, step, reason));`);
  }

  passed(learner: string, lab: string): StepProgress[] {
    const rows = this.db
      .prepare('SELECT step, passed_at AS passedAt, message FROM progress WHERE learner = ? AND lab = ? ORDER BY step')
      .all(learner, lab) as StepProgress[];
    const waiting = this.unsaved.filter((u) => u.learner === learner && u.lab === lab && !rows.some((r) => r.step === u.step));
    if (!waiting.length) return rows;
    return [...rows, ...waiting.map(({ step, passedAt, message }) => ({ step, passedAt, message }))].sort((a, b) => a.step - b.step);
  }

  /** Passes waiting for disk space (0 when everything is written). */
  get unsavedCount(): number {
    return this.unsaved.length;
  }

  private insertPass(u: UnsavedPass): void {
    this.db.prepare('INSERT OR IGNORE INTO progress (learner, lab, step, passed_at, message) VALUES (?, ?, ?, ?, ?)').run(u.learner, u.lab, u.step, u.passedAt, u.message);
  }

  /** Writes what waited for space, in one transaction; false if there is still none. */
  flush(): boolean {
    if (!this.unsaved.length) return true;
    try {
      this.db.transaction(() => {
        for (const u of this.unsaved) this.insertPass(u);
      })();
    } catch (e) {
      if (isDiskFull(e)) return false;
      throw e;
    }
    this.unsaved.length = 0;
    clearInterval(this.retry);
    this.retry = undefined;
    return true;
  }

  /** Records a pass; true when it is on disk, false when it waits in memory for space. */
  markPassed(learner: string, lab: string, step: number, message: string): boolean {
    const u: UnsavedPass = { learner, lab, step, passedAt: Date.now(), message };
    if (this.flush()) {
      try {
        this.db.transaction(() => this.insertPass(u))();
        return true;
      } catch (e) {
        if (!isDiskFull(e)) throw e;
      }
    }
    if (!this.unsaved.some((x) => x.learner === learner && x.lab === lab && x.step === step)) this.unsaved.push(u);
    this.retry ??= setInterval(() => this.flush(), 5000);
    this.retry.unref();
    return false;
  }

  /** The lab this learner passed a step in most recently, if any. */
  latestLab(learner: string): string | undefined {
    const r = this.db.prepare('SELECT lab FROM progress WHERE learner = ? ORDER BY passed_at DESC LIMIT 1').get(learner) as { lab: string } | undefined;
    return r?.lab;
  }

  predictions(learner: string, lab: string): Record<number, { choice: number; correct: boolean }> {
    const rows = this.db.prepare('SELECT step, choice, correct FROM predictions WHERE learner = ? AND lab = ?').all(learner, lab) as {
      step: number;
      choice: number;
      correct: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.step, { choice: r.choice, correct: r.correct === 1 }]));
  }

  savePrediction(learner: string, lab: string, step: number, choice: number, correct: boolean): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO predictions (learner, lab, step, choice, correct, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(learner, lab, step, choice, correct ? 1 : 0, Date.now());
    })();
  }

  /**
   * Counts a failed check of a step by its reason id (the lab declares a handful per step, so the
   * rows per learner and step stay few); the instructor's heatmap shows which concept is failing.
   */
  recordFailure(learner: string, lab: string, step: number, reason: string): void {
    try {
      this.db
        .prepare('INSERT INTO step_failures (learner, lab, step, reason, count, last_at) VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (learner, lab, step, reason) DO UPDATE SET count = MIN(count + 1, 1000000), last_at = excluded.last_at')
        .run(learner, lab, step, reason, Date.now());
    } catch (e) {
      // A statistic for the instructor: on a full disk it is not counted, and the learner still
      // hears what failed (the check's answer must not become a disk error).
      if (!isDiskFull(e)) throw e;
    }
  }

  /** Every pass of these learners in these labs, in one query (the workshop heatmap). */
  passesOf(learners: string[], labs: string[]): { learner: string; lab: string; step: number; passedAt: number }[] {
    if (!learners.length || !labs.length) return [];
    return this.db
      .prepare('SELECT learner, lab, step, passed_at AS passedAt FROM progress WHERE learner IN (SELECT value FROM json_each(?)) AND lab IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(learners), JSON.stringify(labs)) as { learner: string; lab: string; step: number; passedAt: number }[];
  }

  /** Every failed-check count of these learners in these labs, in one query. */
  failuresOf(learners: string[], labs: string[]): { learner: string; lab: string; step: number; reason: string; count: number; lastAt: number }[] {
    if (!learners.length || !labs.length) return [];
    return this.db
      .prepare('SELECT learner, lab, step, reason, count, last_at AS lastAt FROM step_failures WHERE learner IN (SELECT value FROM json_each(?)) AND lab IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(learners), JSON.stringify(labs)) as { learner: string; lab: string; step: number; reason: string; count: number; lastAt: number }[];
  }

  /** The lab each of these learners passed or failed a step in most recently, in one query. */
  latestLabs(learners: string[]): Map<string, string> {
    if (!learners.length) return new Map();
    const rows = this.db
      .prepare(
        'SELECT learner, lab, MAX(at) AS at FROM (SELECT learner, lab, passed_at AS at FROM progress UNION ALL SELECT learner, lab, last_at AS at FROM step_failures) WHERE learner IN (SELECT value FROM json_each(?)) GROUP BY learner',
      )
      .all(JSON.stringify(learners)) as { learner: string; lab: string }[];
    return new Map(rows.map((r) => [r.learner, r.lab]));
  }

  close(): void {
    this.flush();
    clearInterval(this.retry);
    this.db.close();
  }
}
