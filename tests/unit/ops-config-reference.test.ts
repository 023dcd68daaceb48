// The README's configuration reference against server/config.ts: every option (each key of the
// default config, nested ones as `limits.memoryBytes`) has a row, and each flag and environment
// variable the parser knows is the one its row names.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, defaultConfig } from '../../server/config.js';

const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Configuration reference'), readme.indexOf('\n## ', readme.indexOf('### Configuration reference')));
/** option → [flag, env, default, costs] from the table's rows. */
const rows = new Map(
  section.split('\n').filter((l) => /^\| `[\w.]+` \|/.test(l)).map((l) => {
    const cells = l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim());
    return [cells[0].replace(/`/g, ''), cells.slice(1)] as const;
  }),
);

function keysOf(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? keysOf(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('README configuration reference', () => {
  it('has a row for every option of the config', () => {
    expect(rows.size).toBeGreaterThan(30);
    const missing = keysOf(defaultConfig() as unknown as Record<string, unknown>).filter((k) => !rows.has(k));
    expect(missing).toEqual([]);
  });

  it('names each option\'s flag and environment variable as the parser knows them', () => {
    for (const k of CONFIG_KEYS) {
      const row = rows.get(k.key);
      expect(row, k.key).toBeDefined();
      expect([row![0], row![1]], k.key).toEqual([`\`${k.flag}\``, `\`${k.env}\``]);
    }
    // An option the parser has no flag for says so.
    const flagged = new Set(CONFIG_KEYS.map((k) => k.key));
    for (const [key, row] of rows) if (!flagged.has(key)) expect([row[0], row[1]], key).toEqual(['(none)', '(none)']);
  });

  it('says a default and a cost for each', () => {
    for (const [key, row] of rows) {
      expect(row[2], `${key} default`).not.toBe('');
      expect(row[3]?.length ?? 0, `${key} cost`).toBeGreaterThan(5);
    }
  });
});
