// The workshop's shape in real chromium against a real server: the instructor creates a workshop
// with the server's key (a wrong one is said next to the field), a path, a limit and an end; the
// dashboard shows the join QR code, the loopback warning with the addresses, the host's capacity
// and the settings. Learners land in the path's first lab, the third is refused by the limit with
// a message, the instructor ends one learner's session with a reason that learner's page shows,
// extends and ends the workshop (the remaining learner's page says why), and downloads the CSV.
// A second workshop ends by its clock: the learner's page warns twice, then says it ended.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, NO_CHROMIUM, screenshot, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { TEST_INSTRUCTOR_KEY, createWorkshop, type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ maxSessions: 12, detachGraceMs: 30_000, workshopWarningsMs: [8000, 4000] }, { refillPool: false }, (s, b) => {
  srv = s;
  browser = b;
});

async function learner(code: string, name: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  p.on('pageerror', (e) => console.error('page error:', e.message));
  await p.goto(`${srv.base}/?join=${code}`);
  await p.waitForSelector('#join-dialog[open]');
  await p.fill('#join-name', name);
  await p.click('#join-ok');
  return p;
}

describe.skipIf(!CHROMIUM)(`the workshop's shape${skipReason}`, () => {
  it('create with key, path, limit and end; QR, loopback warning, capacity; land in the first lab; limit refusal; kill switch; extend; end; CSV', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
    teacher.on('pageerror', (e) => console.error('page error:', e.message));
    await teacher.goto(`${srv.base}/instructor`);
    await teacher.waitForSelector('#ws-path input[value="first-namespace"]');
    await teacher.fill('#ws-title', 'Containers 101');
    await teacher.fill('#ws-admin-key', 'not-the-key');
    await teacher.check('#ws-path input[value="uts-ipc"]');
    await teacher.check('#ws-path input[value="first-namespace"]');
    // The order ticked is the path's order: uts-ipc first, then first-namespace; untick and re-tick to reorder.
    await teacher.uncheck('#ws-path input[value="uts-ipc"]');
    await teacher.check('#ws-path input[value="uts-ipc"]');
    expect(await teacher.textContent('#ws-path-sum')).toMatch(/^Your first namespaces → /);
    await teacher.fill('#ws-limit', '2');
    await teacher.fill('#ws-end', await teacher.evaluate(() => {
      const d = new Date(Date.now() + 3 * 3600_000);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    }));
    await screenshot(teacher, 'shape-create-form');
    await teacher.click('#ws-form button[type="submit"]');
    await teacher.waitForFunction(() => /instructor key/.test(document.getElementById('ws-admin-err')?.textContent ?? ''));
    expect(await teacher.evaluate(() => document.activeElement?.id)).toBe('ws-admin-key');
    await teacher.fill('#ws-admin-key', TEST_INSTRUCTOR_KEY);
    await teacher.press('#ws-admin-key', 'Enter');
    await teacher.waitForFunction(() => /^[A-Z2-9]{6}$/.test(document.getElementById('ws-code')?.textContent ?? ''));
    const code = (await teacher.textContent('#ws-code'))!;

    // Join from the room: a QR code of the join link, and (the page is on 127.0.0.1) the warning.
    await teacher.waitForSelector('#ws-qr svg.qr path');
    expect(await teacher.getAttribute('#ws-qr svg.qr', 'aria-label')).toContain(`/?join=${code}`);
    expect((await teacher.getAttribute('#ws-qr svg.qr path', 'd'))!.length).toBeGreaterThan(500);
    expect(await teacher.textContent('#ws-net-warn')).toMatch(/loopback only \(127\.0\.0\.1\)|cannot reach this address/);
    // Capacity: the host's seats by the stated formula, and what 2 learners need.
    await teacher.waitForSelector('#ws-cap-seats');
    expect(await teacher.textContent('#ws-cap-seats')).toMatch(/This host holds \d+ learners at the configured limits \(limited by the max-sessions setting\)/);
    expect(await teacher.textContent('#ws-cap-need')).toMatch(/needs 2 seats: 2 learners × 1 seat\(s\) each/);
    expect(await teacher.getAttribute('.ws-cap-formula summary', 'title')).toMatch(/MemTotal/);
    expect(await teacher.textContent('#ws-set-path')).toBe('Your first namespaces → UTS and IPC namespaces: names and queues');
    await teacher.waitForFunction(() => /0 \/ 2/.test(document.getElementById('ws-set-limit')?.textContent ?? ''));

    // Learners land in the path's first lab, not a free sandbox.
    const ada = await learner(code, 'Ada');
    await waitForTerm(ada, /root@sandbox/);
    await ada.waitForSelector('.lab-step[data-step="1"]');
    expect(await ada.evaluate(() => (window.__isoplay.session as { lab?: string } | undefined)?.lab)).toBe('first-namespace');
    const grace = await learner(code, 'Grace');
    await waitForTerm(grace, /root@sandbox/);
    // The third is refused by the limit, in words, on the join page.
    const eve = await learner(code, 'Eve');
    await eve.waitForSelector('#banner:not([hidden])');
    expect(await eve.textContent('#banner')).toBe('The workshop "Containers 101" is full: it takes 2 learners. Ask your instructor.');
    expect(await eve.evaluate(() => window.__isoplay.session)).toBeFalsy();
    await screenshot(eve, 'shape-learner-refused');

    // The kill switch: Ada's session ends with the instructor's reason, on her page.
    await teacher.waitForSelector('#ws-rows tr[data-name="Ada"] .ws-kill');
    await screenshot(teacher, 'shape-dashboard');
    await teacher.click('#ws-rows tr[data-name="Ada"] .ws-kill');
    await teacher.waitForSelector('#ws-kill-dialog[open]');
    await teacher.fill('#ws-kill-reason', 'time for a break');
    await screenshot(teacher, 'shape-kill-dialog');
    await teacher.click('#ws-kill-ok');
    await ada.waitForSelector('.end-card', { timeout: 10_000 });
    expect(await ada.textContent('.end-card')).toMatch(/Why: the instructor ended this session: time for a break\./);
    await screenshot(ada, 'shape-learner-killed');
    expect(await grace.$('.end-card')).toBeNull();

    // The lab-complete card suggests the next lab of the workshop's path (uts-ipc), not the
    // catalogue's suggested path (where pid-namespace follows). Grace's three steps are marked
    // passed in the store (the browser flow of a whole lab is the playground test's); a reload shows it.
    const token = await grace.evaluate(() => localStorage.getItem('isoplay.learner'));
    for (const step of [0, 1, 2]) srv.app.stores.progress.markPassed(token!, 'first-namespace', step, 'passed');
    await grace.reload();
    await waitForTerm(grace, /root@sandbox/);
    await grace.waitForSelector('.lab-done .lab-next-lab');
    expect(await grace.getAttribute('.lab-done .lab-next-lab', 'data-lab')).toBe('uts-ipc');
    expect(await grace.textContent('.lab-done .lab-next-lab-why')).toBe('Next in “Containers 101”:');
    await grace.locator('.lab-done').scrollIntoViewIfNeeded();
    await screenshot(grace, 'shape-learner-next-lab');

    // Extend: Grace's page says so. Then end the workshop: her sandbox closes with the reason.
    await teacher.fill('#ws-extend-min', '15');
    await teacher.click('#ws-extend');
    await grace.waitForFunction(() => /the workshop was extended until/.test(document.getElementById('banner')?.textContent ?? ''), undefined, { timeout: 10_000 });
    teacher.once('dialog', (d) => void d.accept());
    await teacher.click('#ws-end-now');
    await grace.waitForSelector('.end-card', { timeout: 10_000 });
    expect(await grace.textContent('.end-card')).toMatch(/Why: the workshop was ended by its instructor\./);
    await teacher.waitForSelector('#ws-ended:not([hidden])');
    expect(await teacher.isDisabled('#ws-extend')).toBe(true);
    // The progress stays readable, and downloads as CSV.
    expect(await teacher.textContent('#ws-rows')).toMatch(/Ada[\s\S]*Grace/);
    const [download] = await Promise.all([teacher.waitForEvent('download'), teacher.click('#ws-export')]);
    expect(download.suggestedFilename()).toBe(`workshop-${code}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^name,online,lab,step,passed/);
    expect(csv).toMatch(/\r\nAda,no,first-namespace,/);
    expect(csv).toMatch(/\r\nGrace,no,first-namespace,/);
    await screenshot(teacher, 'shape-dashboard-ended');
    // Joining now is refused.
    const late = await learner(code, 'Late');
    await late.waitForSelector('#banner:not([hidden])');
    expect(await late.textContent('#banner')).toMatch(/has ended: it takes no more learners/);
    for (const p of [teacher, ada, grace, eve, late]) await p.close();
    // Six browser pages and four sandboxes on a shared 2-core host: a minute when quiet, more when not.
  }, 240_000);

  it('a workshop that ends by its clock warns the learner twice, then closes the sandbox with the reason', async () => {
    const t0 = Date.now();
    const w = await createWorkshop(srv, { title: 'Clocked room', endsAt: t0 + 30_000 });
    const p = await learner(w.joinCode, 'Tim');
    await waitForTerm(p, /root@sandbox/);
    // Joined before the first warning (8 s before the end, at t0 + 22 s), or the test proves nothing.
    expect(Date.now()).toBeLessThan(t0 + 21_000);
    await p.waitForFunction(() => document.getElementById('banner')?.dataset.workshop === 'ending', undefined, { timeout: 26_000 });
    expect(await p.textContent('#banner')).toMatch(/^The workshop ends in 1 min \(at [^)]+\)\. Save what you want to keep\.$/);
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 22_000);
    await screenshot(p, 'shape-learner-warning');
    await p.waitForFunction(() => document.getElementById('banner')?.dataset.warnings === '2', undefined, { timeout: 8000 });
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 26_000);
    await p.waitForSelector('.end-card', { timeout: 15_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(t0 + 30_000);
    expect(await p.textContent('.end-card')).toMatch(/Why: the workshop ended \(its end time passed\)\./);
    // Both warnings came (8 s and 4 s before the end), before the end.
    expect(await p.getAttribute('#banner', 'data-warnings')).toBe('2');
    await screenshot(p, 'shape-learner-ended');
    await p.close();
  });
});
