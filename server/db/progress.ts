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
        PRIMARY KEY (learner, lab, step));`);
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

  close(): void {
    this.db.close();
  }
}
