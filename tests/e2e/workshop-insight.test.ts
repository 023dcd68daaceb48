// The instructor's insight panels in a real browser, with three learner pages on real sandboxes:
// the heatmap moves as a learner passes a step, a failed check's reason shows per step, a help
// request with its line of text waits in the queue (ticking), "Open" finds the learner's row and
// "Resolve" (by keyboard) lowers the learner's hand; announcements reach every learner, a learner
// dismisses one (remembered across a reload) and the instructor expires another. axe-clean, and
// a look at the page with 60 learners.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CreateWorkshopResponse } from '../../server/protocol/api.js';
import { axeSerious, CHROMIUM, NO_CHROMIUM, screenshot, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { postWorkshop, type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ poolSize: 0, maxSessions: 12, detachGraceMs: 30_000 }, { refillPool: false }, (s, b) => {
  srv = s;
  browser = b;
});

/** The one place this file creates a workshop (the lead switches it to the server-wide key at merge). */
async function createWorkshop(title: string): Promise<CreateWorkshopResponse> {
  const r = await postWorkshop(srv, { title });
  expect(r.status).toBe(201);
  return (await r.json()) as CreateWorkshopResponse;
}

async function join(code: string, name: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  p.on('pageerror', (e) => console.error(`${name} page error:`, e.message));
  // Straight into the lab (one sandbox per learner, not a free one first).
  await p.goto(`${srv.base}/?join=${code}&lab=first-namespace`);
  await p.waitForSelector('#join-dialog[open]');
  await p.fill('#join-name', name);
  await p.click('#join-ok');
  await p.waitForSelector('.lab-step[data-step="1"]');
  await waitForTerm(p, /root@sandbox/);
  return p;
}

/** The classes of a learner's heatmap cells, in column order. */
const cells = (teacher: Page, name: string) =>
  teacher.$$eval('#hm-scroll tbody tr', (rows, n) => {
    const row = rows.find((r) => r.querySelector('th .hm-who')?.textContent === n);
    return row ? [...row.querySelectorAll('td')].map((td) => [...td.classList].find((c) => c !== 'hm-cell')!.replace('hm-', '')) : [];
  }, name);

describe.skipIf(!CHROMIUM)(`workshop insight in a browser${skipReason}`, () => {
  it('an instructor page and three learner pages: heatmap, failure reasons, help queue, announcements', async () => {
    const w = await createWorkshop('Containers 101');
    const teacher = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    teacher.on('pageerror', (e) => console.error('teacher page error:', e.message));
    await teacher.goto(`${srv.base}/instructor#id=${w.id}&key=${encodeURIComponent(w.instructorKey)}`);
    await teacher.waitForSelector('#hm-scroll');
    expect(await teacher.textContent('#hq-body')).toMatch(/Nobody is waiting/);

    // They join one after the other: the rows keep join order.
    const ada = await join(w.joinCode, 'Ada');
    const bob = await join(w.joinCode, 'Bob');
    const cy = await join(w.joinCode, 'Cy');

    // Three rows, each on step 1 of the lab: a table with row and column headers and a label per cell.
    await teacher.waitForFunction(() => document.querySelectorAll('#hm-scroll tbody tr').length === 3, undefined, { timeout: 10_000 });
    for (const n of ['Ada', 'Bob', 'Cy']) expect(await cells(teacher, n)).toEqual(['current', 'todo', 'todo']);
    expect(await teacher.$$eval('#hm-scroll th[scope="col"]', (ths) => ths.map((t) => t.textContent))).toEqual(['Learner', '1', '2', '3']);
    expect(await teacher.getAttribute('#hm-scroll tbody tr:first-child td:first-of-type', 'aria-label')).toMatch(/^Ada, step 1 of Your first namespaces \(Name your machine\): on it/);
    expect(await teacher.textContent('#hm-legend')).toMatch(/passed.*on it.*stuck \(> 10 min\).*asked for help.*not reached/);

    // Bob checks step 1 before doing it: the reason id and its message show for step 1.
    await bob.click('.lab-step[data-step="1"] .lab-check');
    await teacher.waitForFunction(() => document.getElementById('fr-body')?.textContent?.includes('hostname-unchanged'), undefined, { timeout: 10_000 });
    expect(await teacher.textContent('#fr-body')).toMatch(/Name your machine[\s\S]*hostname-unchanged[\s\S]*The kernel still calls your sandbox/);

    // Ada passes step 1 in her terminal: her row moves on the heatmap.
    await ada.click('.term[data-terminal="shell"]');
    await ada.keyboard.type('hostname my-box');
    await ada.keyboard.press('Enter');
    await teacher.waitForFunction(() => document.querySelector('#hm-scroll tbody tr:first-child td.hm-passed') !== null, undefined, { timeout: 15_000 });
    expect(await cells(teacher, 'Ada')).toEqual(['passed', 'current', 'todo']);
    expect(await cells(teacher, 'Bob')).toEqual(['current', 'todo', 'todo']);
    // The instructor lowers the stuck limit to one minute (it is checked at the end, a minute on); the legend says it.
    await teacher.fill('#hm-stuck-min', '1');
    await teacher.press('#hm-stuck-min', 'Enter');
    await teacher.waitForFunction(() => /stuck \(> 1 min\)/.test(document.getElementById('hm-legend')?.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(await teacher.textContent('#hm-intro')).toMatch(/stuck after 1 min on one step/);

    // Bob asks for help with a line of text: it waits in the queue, its waiting time ticking; his cell says so.
    await bob.click('#help');
    await bob.waitForSelector('#help-dialog[open]');
    await bob.fill('#help-text', 'What is a UTS namespace?');
    await bob.keyboard.press('Enter');
    await bob.waitForSelector('#help[aria-pressed="true"]');
    await teacher.waitForFunction(() => document.getElementById('hq-body')?.textContent?.includes('What is a UTS namespace?'), undefined, { timeout: 10_000 });
    expect(await teacher.textContent('#hq-body .hq-name')).toBe('Bob');
    const waited = await teacher.textContent('#hq-body .hq-wait');
    await teacher.waitForFunction((w0) => document.querySelector('#hq-body .hq-wait')?.textContent !== w0, waited, { timeout: 5000 });
    expect(await teacher.textContent('#hq-body .hq-wait')).toMatch(/^waiting \d+ s$/);
    await teacher.waitForFunction(() => document.querySelector('#hm-scroll tbody tr:nth-child(2) td.hm-help') !== null, undefined, { timeout: 10_000 });
    expect(await cells(teacher, 'Bob')).toEqual(['help', 'todo', 'todo']);
    // "Needs you first" puts Bob's raised hand on top; back to join order.
    const names = () => teacher.$$eval('#hm-scroll tbody th .hm-who', (els) => els.map((e) => e.textContent));
    // The row header carries the raised hand too (a learner in no lab has no cell to show it in).
    expect(await teacher.$$eval('#hm-scroll tbody th .hm-badge', (els) => els.map((e) => e.closest('th')!.querySelector('.hm-who')!.textContent))).toEqual(['Bob']);
    expect(await names()).toEqual(['Ada', 'Bob', 'Cy']);
    await teacher.selectOption('#hm-order', 'attention');
    expect(await names()).toEqual(['Bob', 'Cy', 'Ada']);
    await teacher.selectOption('#hm-order', 'joined');

    await screenshot(teacher, 'insight-instructor-3');
    expect(await axeSerious(teacher)).toEqual([]);

    // "Open" finds Bob's row (the follow view's hook); "Resolve", by keyboard, lowers his hand.
    await teacher.click('#hq-body button[data-action="open"]');
    await teacher.waitForSelector('#hm-scroll tr.hm-highlight');
    expect(await teacher.$eval('#hm-scroll tr.hm-highlight .hm-who', (e) => e.textContent)).toBe('Bob');
    // ... and opens his terminal in the follow view.
    await teacher.waitForFunction(() => /Bob/.test(document.getElementById('ws-follow-h')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await teacher.focus('#hq-body button[data-action="open"]');
    await teacher.keyboard.press('Tab');
    expect(await teacher.evaluate(() => (document.activeElement as HTMLElement).dataset.action)).toBe('resolve');
    await teacher.keyboard.press('Enter');
    await bob.waitForSelector('#help[aria-pressed="false"]', { timeout: 10_000 });
    await bob.waitForFunction(() => /resolved/.test(document.getElementById('banner')?.textContent ?? ''));
    await teacher.waitForFunction(() => /Nobody is waiting/.test(document.getElementById('hq-body')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await screenshot(bob, 'insight-learner-resolved');

    // Two announcements reach the three learners.
    for (const [text, minutes] of [['Break at 10:30', '30'], ['Slides: example.org/s', '5']]) {
      await teacher.fill('#ws-announce-text', text);
      await teacher.selectOption('#an-minutes', minutes);
      await teacher.click('#ws-announce button[type="submit"]');
      await teacher.waitForFunction((t) => document.getElementById('an-body')?.textContent?.includes(t), text, { timeout: 10_000 });
    }
    expect(await teacher.textContent('#an-body')).toMatch(/Break at 10:30\s*expires in 30 min[\s\S]*Slides: example.org\/s\s*expires in 5 min/);
    for (const p of [ada, bob, cy]) {
      await p.waitForFunction(() => document.querySelectorAll('#announcements .announcement').length === 2, undefined, { timeout: 10_000 });
    }
    expect(await cy.textContent('#announcements')).toMatch(/Your instructor: Break at 10:30[\s\S]*Your instructor: Slides/);
    await screenshot(cy, 'insight-learner-announcements');
    // Cy dismisses the first; a reload (a reconnect) brings back only the other one.
    await cy.click('#announcements button[aria-label^="Dismiss the announcement: Break"]');
    expect(await cy.$$eval('#announcements .announcement span', (s) => s.map((x) => x.textContent))).toEqual(['Your instructor: Slides: example.org/s']);
    await cy.reload();
    await waitForTerm(cy, /root@/);
    await cy.waitForSelector('#announcements .announcement');
    expect(await cy.$$eval('#announcements .announcement span', (s) => s.map((x) => x.textContent))).toEqual(['Your instructor: Slides: example.org/s']);
    // The instructor expires the slides one now: it leaves every page; Ada still has the break.
    await teacher.click('#an-body button[aria-label="Expire now: Slides: example.org/s"]');
    await ada.waitForFunction(() => document.querySelectorAll('#announcements .announcement').length === 1, undefined, { timeout: 10_000 });
    expect(await ada.textContent('#announcements')).toMatch(/Break at 10:30/);
    await cy.waitForSelector('#announcements', { state: 'hidden', timeout: 10_000 });
    await teacher.waitForFunction(() => !document.getElementById('an-body')?.textContent?.includes('Slides'));
    // A minute after her pass, Ada (connected, on step 2) is stuck under the one-minute limit.
    await teacher.waitForFunction(() => document.querySelector('#hm-scroll tbody tr:first-child td.hm-stuck') !== null, undefined, { timeout: 70_000 });
    expect(await cells(teacher, 'Ada')).toEqual(['passed', 'stuck', 'todo']);
    expect(await teacher.getAttribute('#hm-scroll tbody tr:first-child td:nth-of-type(2)', 'aria-label')).toMatch(/^Ada, step 2 of Your first namespaces \(A namespace inside the namespace\): stuck for \d+ min$/);
    expect(await axeSerious(teacher)).toEqual([]);
    for (const p of [ada, bob, cy]) await p.close();

    // A room of 60: the heatmap stays one compact table with its header in view while it scrolls.
    const { workshops, labs } = srv.app;
    for (let i = 0; i < 57; i++) {
      const learner = `learner-room-${String(i).padStart(4, '0')}`;
      workshops.store.join(w.id, learner, `Learner ${String(i + 4).padStart(2, '0')}`);
      for (let s = 0; s < i % 4; s++) labs.progress.markPassed(learner, 'first-namespace', s, 'ok');
      if (i % 4 < 3) labs.progress.recordFailure(learner, 'first-namespace', i % 4, ['hostname-unchanged', 'no-uts-namespace', 'no-pid-namespace'][i % 4]);
    }
    await teacher.waitForFunction(() => document.querySelectorAll('#hm-scroll tbody tr').length === 60, undefined, { timeout: 10_000 });
    const rowHeight = await teacher.$eval('#hm-scroll tbody tr:nth-child(10)', (r) => r.getBoundingClientRect().height);
    expect(rowHeight).toBeLessThanOrEqual(26);
    await teacher.$eval('#hm-scroll', (el) => el.scrollIntoView());
    await teacher.$eval('#hm-scroll', (el) => (el.scrollTop = 600));
    // The step header stays at the top of the scrolled table.
    const [boxTop, headTop] = await teacher.$eval('#hm-scroll', (el) => [el.getBoundingClientRect().top, el.querySelector('thead tr:nth-child(2) th')!.getBoundingClientRect().top]);
    expect(headTop - boxTop).toBeLessThan(40);
    await screenshot(teacher, 'insight-instructor-60');
    expect(await axeSerious(teacher)).toEqual([]);
    await teacher.close();
  }, 240_000);
});
