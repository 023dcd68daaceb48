// The server-wide instructor key: creating a workshop needs it (a learner who finds the server
// cannot open workshops of their own). From config (--instructor-key, ISOPLAY_INSTRUCTOR_KEY) or,
// when unset, generated at first start into <dataDir>/instructor-key: mode 0600, owned by root when
// the server runs as root. main.ts shows it on the console only when stdout is a terminal; it never
// goes through the logger (a journal keeps what the log says).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IsoplayError } from '../errors.js';

export const INSTRUCTOR_KEY_FILE = 'instructor-key';

export interface AdminKey {
  /** Where it came from: the config, or the file in the data dir (`generated`: made just now). */
  source: 'config' | 'file';
  generated: boolean;
  file?: string;
  /** Constant-time check of a key someone sent. */
  matches(given: string | undefined): boolean;
  /** The key itself, only for main.ts's console line. */
  reveal(): string;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

function keyed(key: string, source: AdminKey['source'], generated: boolean, file?: string): AdminKey {
  const want = sha256(key);
  return {
    source,
    generated,
    file,
    // Both sides hashed first: equal lengths, and the comparison time says nothing about the key.
    matches: (given) => typeof given === 'string' && given.length > 0 && crypto.timingSafeEqual(want, sha256(given)),
    reveal: () => key,
  };
}

/** The configured key, or the one in the data dir's file (made now, readable only by its owner, if there is none). */
export function loadAdminKey(configured: string | undefined, dataDir: string): AdminKey {
  if (configured) return keyed(configured, 'config', false);
  const file = path.join(dataDir, INSTRUCTOR_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const key = fs.readFileSync(file, 'utf8').trim();
    if (key) {
      // A file someone loosened is tightened again: the key opens workshops.
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return keyed(key, 'file', false, file);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = crypto.randomBytes(24).toString('base64url');
  // O_EXCL: two servers starting on one data dir do not both write a key; the loser reads the winner's.
  try {
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadAdminKey(undefined, dataDir);
    throw e;
  }
  fs.chmodSync(file, 0o600); // the umask cannot widen it, but an odd filesystem might
  if (process.getuid?.() === 0) fs.chownSync(file, 0, 0);
  return keyed(key, 'file', true, file);
}

/** Throws 401 ISOPLAY_ERR_ADMIN_KEY unless `given` is the server's instructor key. */
export function requireAdminKey(k: AdminKey, given: string | undefined): void {
  if (!k.matches(given)) throw new IsoplayError('ISOPLAY_ERR_ADMIN_KEY');
}
