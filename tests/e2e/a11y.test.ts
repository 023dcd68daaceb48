// The learner's page for a keyboard and a screen reader, in Debian's chromium against a real server
// and real sandboxes: axe-core finds no serious or critical violation on the lab page, the kernel
// view and the instructor page; a whole lab is done with the keyboard alone; the terminal can be
// left with the documented key; xterm.js's screen-reader mode can be switched on; and the kernel
// view explains itself to a beginner (units, a time axis, the host's namespace inodes, stable rows).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeSerious, CHROMIUM, NO_CHROMIUM, openPlayground, screenshot, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { TEST_INSTRUCTOR_KEY, type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ poolSize: 1, maxSessions: 12, detachGraceMs: 20_000 }, { refillPool: true }, (s, b) => {
  srv = s;
  browser = b;
});

const openPage = (url = '/', viewport = { width: 1366, height: 768 }): Promise<Page> => openPlayground(browser, srv.base, url, viewport, /root@/);

/** Every visible text in the page drawn smaller than 12 px (CSS pixels), with where it is. */
async function tinyText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement;
      if (!e || !n.textContent?.trim() || e.closest('.xterm, .sr-only, script, style')) continue;
      if (!e.getClientRects().length) continue;
      const px = parseFloat(getComputedStyle(e).fontSize);
      if (px < 12) out.push(`${px}px: ${e.className || e.tagName} "${n.textContent.trim().slice(0, 30)}"`);
    }
    return out;
  });
}

/** What has the keyboard focus: a short description, and whether a focus ring is drawn for it. */
async function focused(page: Page): Promise<{ desc: string; ring: boolean; inTerminal: string | null }> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body) return { desc: 'body', ring: false, inTerminal: null };
    const term = a.closest<HTMLElement>('.term');
    // The terminal's focus target is xterm's off-screen textarea: its ring is on the terminal box.
    const ringEl = term ?? a;
    const cs = getComputedStyle(ringEl);
    const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
    const desc = `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}${a.className ? `.${String(a.className).split(' ').join('.')}` : ''} "${(a.getAttribute('aria-label') ?? a.textContent ?? '').trim().slice(0, 40)}"`;
    return { desc, ring, inTerminal: term?.dataset.terminal ?? null };
  });
}

/**
 * Presses Tab (or Shift+Tab) until `selector` has the focus, as a keyboard user would; every stop on
 * the way must show a focus ring. Returns the stops.
 */
async function tabTo(page: Page, selector: string, opts: { back?: boolean; max?: number } = {}): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < (opts.max ?? 40); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    stops.push(f.desc);
    expect(f.ring, `no visible focus on ${f.desc}`).toBe(true);
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return stops;
  }
  throw new Error(`Tab never reached ${selector}; it went: ${stops.join(' → ')}`);
}

describe.skipIf(!CHROMIUM)(`the page for a keyboard and a screen reader${skipReason}`, () => {
  it('axe-core: no serious or critical violation on the lab page and the kernel view; roles, live regions, chart text, no text under 12 px', async () => {
    const page = await openPage('/?lab=first-namespace');
    await page.waitForSelector('.lab-step[data-step="1"] .lab-predict-opt');
    await page.waitForSelector('.kv-cgroup[data-path="/"] .kv-chart[data-kind="memory"][aria-label]');
    await page.waitForSelector('.kv-ns .kv-hostref');
    expect(await axeSerious(page)).toEqual([]);
    expect(await axeSerious(page, '#kernel-view')).toEqual([]);
    expect(await tinyText(page)).toEqual([]);

    // The terminal tabs are a tab list, each tab controlling its terminal (a tab panel).
    expect(await page.getAttribute('#term-tabs [role="tablist"]', 'aria-label')).toBe('Terminals');
    const tabs = await page.$$eval('#term-tabs [role="tablist"] [role="tab"]', (els) => els.map((e) => [e.getAttribute('aria-selected'), e.getAttribute('aria-controls'), (e as HTMLElement).tabIndex]));
    expect(tabs).toEqual([
      ['true', 'term-shell', 0],
      ['false', 'term-observer', -1],
    ]);
    expect(await page.getAttribute('#term-shell', 'role')).toBe('tabpanel');
    // Connection state and banners are live regions; the events list is a log.
    expect(await page.getAttribute('#conn', 'role')).toBe('status');
    expect(await page.getAttribute('#banner', 'aria-live')).toMatch(/polite|assertive/);
    expect(await page.getAttribute('.kv-events', 'role')).toBe('log');
    // The charts are images with a summary a screen reader reads.
    expect(await page.getAttribute('.kv-cgroup[data-path="/"] .kv-chart[data-kind="memory"]', 'role')).toBe('img');
    expect(await page.getAttribute('.kv-cgroup[data-path="/"] .kv-chart[data-kind="memory"]', 'aria-label')).toMatch(/^Memory of your sandbox over the last .*: now [\d.]+ MiB, highest [\d.]+ MiB, limit 256 MiB, highest the kernel recorded [\d.]+ MiB\.$/);
    expect(await page.getAttribute('.kv-cgroup[data-path="/"] .kv-chart[data-kind="cpu"]', 'aria-label')).toMatch(/^CPU use of your sandbox .* in % of one CPU: now \d+%/);

    // A failed check: its result is announced (a status, and the page's live region says it).
    await page.click('.lab-predict-opt >> nth=1');
    await page.click('.lab-check');
    await page.waitForSelector('.lab-result-failed[role="status"]');
    await page.waitForFunction(() => /^Not yet: /.test(document.getElementById('sr-announce')?.textContent ?? ''));
    expect(await page.getAttribute('#sr-announce', 'aria-live')).toBe('polite');
    expect(await axeSerious(page)).toEqual([]);
    await screenshot(page, 'a11y-lab-page');
    await page.close();
  });

  it('axe-core: the lab list too, and on a phone (390 px) the top bar stays on the screen', async () => {
    const page = await openPage('/');
    await page.waitForSelector('.lab-card[data-lab="first-namespace"]');
    expect(await axeSerious(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    for (const id of ['present', 'new-sandbox', 'conn']) {
      const box = (await page.locator(`#${id}`).boundingBox())!;
      expect(box.x + box.width, `#${id} is off the screen`).toBeLessThanOrEqual(390);
    }
    expect(await axeSerious(page)).toEqual([]);
    expect(await tinyText(page)).toEqual([]);
    await screenshot(page, 'a11y-lab-list-390');
    await page.close();
  });

  it('axe-core: no serious or critical violation on the instructor page (create form, dashboard with a learner)', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    teacher.on('pageerror', (e) => console.error('page error:', e.message));
    await teacher.goto(`${srv.base}/instructor`);
    await teacher.waitForSelector('#ws-form');
    expect(await axeSerious(teacher)).toEqual([]);
    await teacher.fill('#ws-title', 'Keyboard 101');
    await teacher.fill('#ws-admin-key', TEST_INSTRUCTOR_KEY);
    await teacher.press('#ws-title', 'Enter');
    await teacher.waitForFunction(() => /^[A-Z2-9]{6}$/.test(document.getElementById('ws-code')?.textContent ?? ''));
    const code = (await teacher.textContent('#ws-code'))!;
    const learner = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await learner.goto(`${srv.base}/?join=${code}`);
    await learner.waitForSelector('#join-dialog[open]');
    expect(await axeSerious(learner)).toEqual([]);
    await learner.fill('#join-name', 'Ada');
    await learner.keyboard.press('Enter');
    await waitForTerm(learner, /root@sandbox/);
    await learner.click('#help');
    // The help dialog (an optional line of text) is axe-clean too; sending it raises the hand.
    await learner.waitForSelector('#help-dialog[open]');
    expect(await axeSerious(learner)).toEqual([]);
    await learner.fill('#help-text', 'Stuck on unshare');
    await learner.keyboard.press('Enter');
    await teacher.waitForSelector('#ws-rows tr[data-name="Ada"] .ws-help', { timeout: 10_000 });
    await teacher.waitForSelector('#hq-body .hq-item');
    expect(await axeSerious(teacher)).toEqual([]);
    expect(await tinyText(teacher)).toEqual([]);
    await screenshot(teacher, 'a11y-instructor');
    await learner.close();
    await teacher.close();
  });

  it('the terminal is left with Ctrl+Shift+Right/Left (Tab stays the shell\'s), tabs move with the arrow keys, and the screen-reader switch turns on xterm\'s screen-reader mode', async () => {
    const page = await openPage('/?lab=first-namespace');
    await page.waitForSelector('.lab-step[data-step="1"]');
    // The key is written under the terminals.
    expect(await page.textContent('#term-keys')).toMatch(/Tab completes in the shell\. Leave the terminal with Ctrl\+Shift\+→ \(or ← to go back\)/);
    // The page starts with the keys in the first terminal; Tab there is the shell's completion.
    expect((await focused(page)).inTerminal).toBe('shell');
    await page.keyboard.type('echo comp');
    await page.keyboard.press('Tab');
    expect((await focused(page)).inTerminal).toBe('shell');
    await page.keyboard.press('Control+U');
    // Ctrl+Shift+Right: out of the terminal, forward (the screen-reader switch below it).
    await page.keyboard.press('Control+Shift+ArrowRight');
    expect((await focused(page)).desc).toMatch(/^button#sr-mode/);
    // Ctrl+Shift+Left from the terminal: back, to the + button, and the tab row before it.
    await tabTo(page, '.xterm-helper-textarea', { back: true, max: 3 });
    await page.keyboard.press('Control+Shift+ArrowLeft');
    const back = await focused(page);
    expect(back.desc).toMatch(/^button\.tab\.tab-add/);
    expect(back.ring).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).desc).toMatch(/^button#tab-shell/);
    // The tab row is one stop; the arrow keys choose the terminal, Enter goes into it.
    await page.keyboard.press('ArrowRight');
    expect((await focused(page)).desc).toMatch(/^button#tab-observer/);
    expect(await page.getAttribute('#tab-observer', 'aria-selected')).toBe('true');
    expect(await page.isVisible('#term-observer')).toBe(true);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    expect((await focused(page)).inTerminal).toBe('shell');

    // Screen-reader mode: off by default, on with the switch (Space), remembered after a reload.
    expect(await page.evaluate(() => window.__isoplay.terminals.shell.options.screenReaderMode)).toBe(false);
    await page.keyboard.press('Control+Shift+ArrowRight');
    await page.keyboard.press('Space');
    expect(await page.getAttribute('#sr-mode', 'aria-pressed')).toBe('true');
    expect(await page.evaluate(() => [window.__isoplay.terminals.shell.options.screenReaderMode, window.__isoplay.terminals.observer.options.screenReaderMode])).toEqual([true, true]);
    await page.reload();
    await waitForTerm(page, /root@/);
    expect(await page.evaluate(() => window.__isoplay.terminals.shell.options.screenReaderMode)).toBe(true);
    // xterm's accessibility tree holds the terminal's rows as text a screen reader can read.
    await page.keyboard.type('echo read-me-$((40+2))');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /^read-me-42$/m);
    await page.waitForFunction(() => /read-me-42/.test(document.querySelector('#term-shell .xterm-accessibility-tree')?.textContent ?? ''));
    await screenshot(page, 'a11y-screen-reader-mode');
    await page.keyboard.press('Control+Shift+ArrowRight');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => window.__isoplay.terminals.shell.options.screenReaderMode)).toBe(false);
    await page.close();
  });

  it('a whole lab with the keyboard alone: Tab, Enter, Space and Ctrl+Shift+Left, no mouse; the Run buttons stay out of reach until the prediction is answered', async () => {
    const page = await openPage('/');
    // From the terminal, back to the lab list, and open the first lab with Enter.
    await page.keyboard.press('Control+Shift+ArrowLeft');
    await tabTo(page, '.lab-card[data-lab="first-namespace"]', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.lab-step[data-step="1"]');
    await waitForTerm(page, /root@sandbox/);
    await page.keyboard.press('Control+Shift+ArrowLeft');
    for (const step of [1, 2, 3]) {
      await page.waitForSelector(`.lab-step[data-step="${step}"] .lab-predict-opt:not([disabled])`);
      // Before the answer, Tab through the step (across its blurred commands) never lands on a Run
      // button. Step 1 is reached backwards from the terminal, the others forwards from their title.
      const answer = `.lab-step[data-step="${step}"] .lab-predict-opt:nth-of-type(2)`;
      const round = step === 1 ? [] : await tabTo(page, `.lab-step[data-step="${step}"] .lab-reset`);
      round.push(...(await tabTo(page, answer, { back: true })));
      expect(round.some((d) => d.includes('lab-reset'))).toBe(true);
      expect(round.filter((d) => d.includes('lab-run'))).toEqual([]);
      expect(await page.$$eval(`.lab-step[data-step="${step}"] .lab-run`, (els) => els.every((e) => e.closest('[inert]')))).toBe(true);
      // The second option is right in every step of this lab; answer it with Space.
      await page.keyboard.press('Space');
      await page.waitForSelector(`.lab-step[data-step="${step}"] .lab-predict-explain`);
      // Focus stays in the step (on the explanation), and the Run buttons are the next stops.
      expect((await focused(page)).desc).toMatch(/lab-predict-explain/);
      const runs = await page.locator(`.lab-step[data-step="${step}"] .lab-run`).count();
      expect(runs).toBeGreaterThan(0);
      for (let i = 0; i < runs; i++) {
        if (await page.$(`.lab-step-item.lab-passed[data-step="${step}"]`)) break;
        await tabTo(page, `.lab-step[data-step="${step}"] .lab-run`, { max: 4 });
        const at = await page.evaluate((s) => [...document.querySelectorAll(`.lab-step[data-step="${s}"] .lab-run`)].indexOf(document.activeElement!), step);
        expect(at).toBe(i);
        await page.keyboard.press('Enter');
        // Run types into the terminal, and the keys stay on Run.
        expect((await focused(page)).desc).toMatch(/lab-run/);
        await page.waitForTimeout(800);
      }
      await page.waitForSelector(`.lab-step-item.lab-passed[data-step="${step}"]`, { timeout: 15_000 });
      if (step < 3) {
        // The re-rendered step keeps the focus in the panel; Next is a few Tabs away.
        expect(await page.evaluate(() => document.getElementById('lab-panel')!.contains(document.activeElement))).toBe(true);
        await tabTo(page, '.lab-next', { max: 8 });
        await page.keyboard.press('Enter');
        await page.waitForSelector(`.lab-step[data-step="${step + 1}"]`);
        expect((await focused(page)).desc).toMatch(/lab-step-title/);
      }
    }
    await page.waitForSelector('.lab-done');
    expect(await page.$$eval('.lab-step-item.lab-passed', (els) => els.length)).toBe(3);
    // A passed step can be opened again from the list, by keyboard.
    await tabTo(page, '.lab-step-item[data-step="1"] button', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.lab-step[data-step="1"]');
    await screenshot(page, 'a11y-keyboard-walk');
    await page.close();
  });

  it('the kernel view for a beginner: units and a time axis on every chart, one header per column, the host\'s inodes as a reference row, stable rows, and why free and top show the host', async () => {
    const page = await openPage('/?lab=first-namespace', { width: 1920, height: 1080 });
    await page.waitForSelector('.kv-ns .kv-hostref');
    // The host's row holds the host's own namespace inodes (the server's, read here from /proc/self/ns).
    for (const kind of ['uts', 'net', 'pid', 'mnt']) {
      const ino = /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/self/ns/${kind}`))![1];
      const col = ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time'].indexOf(kind) + 3;
      expect(await page.getAttribute(`.kv-ns .kv-hostref td:nth-child(${col})`, 'title')).toBe(`the host's ${kind}:[${ino}]`);
      expect(await page.textContent(`.kv-ns .kv-hostref td:nth-child(${col})`)).toBe(ino.slice(-4));
    }
    expect(await page.textContent('#kernel-view')).toMatch(/An inode here is the number the kernel gives each namespace/);
    // Every table: a header for each column, none empty.
    const tables = await page.$$eval('#kernel-view table', (ts) =>
      ts.map((t) => ({
        heads: [...t.querySelectorAll('thead th')].map((h) => h.textContent!.trim()),
        widths: [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].reduce((n, c) => n + ((c as HTMLTableCellElement).colSpan || 1), 0)),
      })),
    );
    expect(tables.length).toBe(3);
    for (const t of tables) {
      expect(t.heads.every((h) => h.length > 0)).toBe(true);
      expect(new Set(t.widths)).toEqual(new Set([t.heads.length]));
    }
    // Start a nested shell: it appears under its parent in both tables, in the same order.
    await page.keyboard.type('unshare --uts --pid --fork sleep 300 &');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.kv-ns tr[data-hostpid]').length >= 4 && /sleep/.test(document.querySelector('.kv-ns')!.textContent!));
    await page.waitForTimeout(1500);
    const nsOrder = await page.$$eval('.kv-ns tr[data-hostpid]', (rs) => rs.map((r) => (r as HTMLElement).dataset.hostpid));
    const treeOrder = await page.$$eval('.kv-procs tr[data-hostpid]', (rs) => rs.map((r) => (r as HTMLElement).dataset.hostpid));
    expect(nsOrder).toEqual(treeOrder);
    expect(await page.textContent('.kv-ns tr[data-hostpid] td:nth-child(2)')).toBe('isoplay-init');
    // Units on the value axes (MiB, not M), and a time axis in seconds back to "now".
    const axes = await page.$$eval('.kv-cgroup[data-path="/"] .kv-chart', (charts) =>
      charts.map((c) => {
        const u = (c as HTMLElement & { plot: { axes: { show?: boolean; values: (u: unknown, v: number[]) => string[] }[]; data: number[][] } }).plot;
        const newest = u.data[0].at(-1)!;
        return { kind: (c as HTMLElement).dataset.kind, time: u.axes[0].show !== false ? u.axes[0].values(u, [newest - 60, newest]) : [], y: u.axes[1].values(u, [64]) };
      }),
    );
    // The rendered axis spans the chart's window of 120 s and ends at the newest sample, from its first sample on.
    const spans = await page.$$eval('.kv-cgroup[data-path="/"] .kv-chart', (charts) =>
      charts.map((c) => {
        const u = (c as HTMLElement & { plot: { scales: { x: { min: number; max: number } }; data: number[][] } }).plot;
        return [Math.round(u.scales.x.max - u.scales.x.min), Math.round(u.scales.x.max - u.data[0][u.data[0].length - 1])];
      }),
    );
    expect(spans).toEqual([[120, 0], [120, 0], [120, 0]]);
    // Its ticks stand at whole steps back from "now" (never "-71 s", which moves every second).
    const ticks = await page.$$eval('.kv-cgroup[data-path="/"] .kv-chart', (charts) =>
      charts.map((c) => {
        const u = (c as HTMLElement & { plot: { axes: { splits: (u: unknown, i: number, min: number, max: number) => number[] }[]; scales: { x: { min: number; max: number } } } }).plot;
        const { min, max } = u.scales.x;
        return u.axes[0].splits(u, 0, min, max).map((x) => Math.round(x - max));
      }),
    );
    for (const tk of ticks) expect([[-120, -90, -60, -30, 0], [-120, -60, 0]]).toContainEqual(tk);
    expect(axes).toEqual([
      { kind: 'memory', time: ['-60 s', 'now'], y: ['64 MiB'] },
      { kind: 'pids', time: ['-60 s', 'now'], y: ['64 pids'] },
      { kind: 'cpu', time: ['-60 s', 'now'], y: ['64 %'] },
    ]);
    // free shows the host's memory here, and the view says why, naming the sandbox's real limit.
    await page.keyboard.type('free -m | awk \'/^Mem/ {print "total-mib=" $2}\'');
    await page.keyboard.press('Enter');
    const total = Number(/^total-mib=(\d+)$/m.exec(await waitForTerm(page, /^total-mib=\d+$/m))![1]);
    expect(total).toBeGreaterThan(256);
    expect(await page.textContent('.kv-hostwide')).toMatch(/free and top disagree.*host's whole memory.*memory\.(limit_in_bytes|max): 256 MiB/);
    await page.evaluate(() => document.querySelector('.kv-col')!.scrollTo(0, 0));
    await screenshot(page, 'a11y-kernel-view-1920');
    await page.setViewportSize({ width: 390, height: 844 });
    // A phone shows one panel at a time: the kernel view is behind its tab.
    await page.click('#phone-tabs [role="tab"][data-panel="kv"]');
    await screenshot(page, 'a11y-kernel-view-390');
    expect(await tinyText(page)).toEqual([]);
    expect(await axeSerious(page, '#kernel-view')).toEqual([]);
    await page.close();
  });
});
