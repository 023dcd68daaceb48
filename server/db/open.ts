// One way to open the project's embedded SQLite files: under the data dir, WAL, and a full fsync
// per transaction, so a crash mid-write loses nothing.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export function openDatabase(dataDir: string, file: string, schema: string): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  return db;
}
