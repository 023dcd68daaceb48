// Screenshots of every lab's first and last step, as a learner sees them, for authors to look at
// (labs/README.md): `npm run screenshots [-- --out DIR --size 1366x768 --lang pt-BR id...]`.
// The first step: the page opened on `?lab=<id>`. The last step: a session created at that step
// (resetStep), so the solves of every earlier step were replayed into the sandbox first, as "Restore
// to step N" does; then the last step's Run buttons are clicked, so its commands' output shows too.
// Real server, real sandboxes, Debian's chromium. Writes <out>/<id>-1-first.png and <id>-2-last.png.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { ensureWebBuilt, launch, waitForTerm } from '../tests/helpers/browser.js';
import { startServer } from '../tests/helpers/server.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'screenshots/labs' }, size: { type: 'string', default: '1366x768' }, lang: { type: 'string' } },
});
const [width, height] = values.size.split('x').map(Number);
if (!width || !height) throw new Error(`--size: expected WIDTHxHEIGHT, found "${values.size}"`);
fs.mkdirSync(values.out, { recursive: true });

ensureWebBuilt();
const srv = await startServer({ poolSize: 0, maxSessions: 8, world: true, detachGraceMs: 5_000 });
const browser = await launch();
const { labs } = (await (await fetch(`${srv.base}/api/labs`)).json()) as { labs: { id: string; available: boolean; stepCount: number; reason?: string }[] };
const ids = positionals.length ? positionals : labs.filter((l) => l.available).map((l) => l.id);
const query = values.lang ? `&lang=${encodeURIComponent(values.lang)}` : '';

async function shoot(page: Page, file: string): Promise<void> {
  await page.waitForTimeout(1500); // the kernel view's first samples
  await page.screenshot({ path: path.join(values.out, file) });
  process.stdout.write(`  ${path.join(values.out, file)}\n`);
}

try {
  for (const id of ids) {
    const lab = labs.find((l) => l.id === id);
    if (!lab?.available) {
      process.stdout.write(`${id}: skipped (${lab ? lab.reason : 'no such lab'})\n`);
      continue;
    }
    process.stdout.write(`${id}: ${lab.stepCount} steps\n`);
    const first = await browser.newPage({ viewport: { width, height }, locale: values.lang ?? 'en' });
    await first.goto(`${srv.base}/?lab=${id}${query}`);
    await waitForTerm(first, /root@sandbox/, undefined, 30_000);
    await first.waitForSelector('.lab-step');
    await shoot(first, `${id}-1-first.png`);
    await first.close();

    // The last step, with the earlier steps' solves replayed into a fresh sandbox: a learner whose
    // progress says the earlier steps passed (written straight into this in-process server's store;
    // the API lets nobody skip ahead), restored to the last step as "Restore to step N" does.
    const learner = `shots-${randomBytes(8).toString('hex')}`;
    for (let i = 0; i < lab.stepCount - 1; i++) srv.app.stores.progress.markPassed(learner, id, i, 'passed by the screenshot script');
    const r = await fetch(`${srv.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab: id, learner, resetStep: lab.stepCount - 1 }) });
    if (r.status !== 201) throw new Error(`${id}: POST /api/sessions at step ${lab.stepCount}: ${r.status} ${await r.text()}`);
    const session = await r.json();
    const ctx = await browser.newContext({ viewport: { width, height }, locale: values.lang ?? 'en' });
    await ctx.addInitScript(([s, l]) => {
      sessionStorage.setItem('isoplay.session', s);
      localStorage.setItem('isoplay.learner', l);
    }, [JSON.stringify(session), learner]);
    const last = await ctx.newPage();
    await last.goto(`${srv.base}/${query ? `?${query.slice(1)}` : ''}`);
    await last.waitForSelector(`.lab-step[data-step="${lab.stepCount}"]`, { timeout: 60_000 }).catch(async (e) => {
      await last.screenshot({ path: path.join(values.out, `${id}-2-last-FAILED.png`) });
      throw e;
    });
    // Answer the prediction (the right answer is not known to the page: any option reveals the commands).
    if (await last.$('.lab-predict-opt:not([disabled])')) await last.click('.lab-predict-opt >> nth=0');
    const runs = last.locator(`.lab-step[data-step="${lab.stepCount}"] .lab-run`);
    for (let i = 0; i < (await runs.count()); i++) {
      await runs.nth(i).click();
      await last.waitForTimeout(1200);
    }
    await shoot(last, `${id}-2-last.png`);
    await ctx.close();
  }
} finally {
  await browser.close();
  await srv.close();
}
