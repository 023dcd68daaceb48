// Whether the native modules in node_modules load on the Node running the tests: better-sqlite3 is
// built for the ABI of the Node that ran `npm ci` (20), so on Node 24 (scripts/test-node24.sh) the
// unit files that open a database skip themselves, saying why in their titles.
import { createRequire } from 'node:module';

function sqliteLoads(): boolean {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

export const SQLITE_OK = sqliteLoads();
/** Appended to a skipped describe's title. */
export const SQLITE_SKIP_REASON = SQLITE_OK ? '' : ` [skipped on Node ${process.versions.node} (ABI ${process.versions.modules}): better-sqlite3 in node_modules is built for another Node's ABI]`;
