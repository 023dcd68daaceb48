// Learner progress in an embedded SQLite database (better-sqlite3, WAL): every write is one
// transaction, so a crash mid-write loses nothing. Keyed by the learner token the browser keeps.
import type Database from 'better-sqlite3';
import { openDatabase } from './open.js';

export interface StepProgress {
  step: number;
  passedAt: number;
  message: string;
}

export class ProgressStore {
  private readonly db: Database.Database;

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
    return this.db
      .prepare('SELECT step, passed_at AS passedAt, message FROM progress WHERE learner = ? AND lab = ? ORDER BY step')
      .all(learner, lab) as StepProgress[];
  }

  markPassed(learner: string, lab: string, step: number, message: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO progress (learner, lab, step, passed_at, message) VALUES (?, ?, ?, ?, ?)')
        .run(learner, lab, step, Date.now(), message);
    })();
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
    this.db
      .prepare('INSERT INTO step_failures (learner, lab, step, reason, count, last_at) VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (learner, lab, step, reason) DO UPDATE SET count = MIN(count + 1, 1000000), last_at = excluded.last_at')
      .run(learner, lab, step, reason, Date.now());
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
    this.db.close();
  }
}
