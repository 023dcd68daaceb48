// The README's table of labs is the catalogue: every lab, in the catalogue's order, at its level
// and minutes, with the total (a lab added, reordered or retimed without the README fails here).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.js';
import { loadCatalog } from '../../server/labs/catalog.js';

describe("the README's list of labs", () => {
  it('names every lab of the catalogue, in its order, with its level and minutes, and the total', async () => {
    const cat = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), { cgroupMode: 'v1' });
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| [^|]+ \(`([a-z0-9-]+)`\) \| (beginner|intermediate|advanced) \| (\d+) \|/gm)].map((m) => ({ id: m[1], level: m[2], minutes: Number(m[3]) }));
    const labs = [...cat.labs.values()];
    expect(rows).toEqual(labs.map((l) => ({ id: l.id, level: l.manifest.level, minutes: l.manifest.minutes })));
    const total = labs.reduce((n, l) => n + l.manifest.minutes, 0);
    const words = ['', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Eleven', 'Twelve', 'Thirteen', 'Fourteen', 'Fifteen', 'Sixteen'];
    expect(readme).toContain(`${words[labs.length] ?? labs.length} labs ship today, ${total} minutes in all`);
  });
});
