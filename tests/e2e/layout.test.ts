// The page's layout in a real browser (Debian chromium) at the sizes learners and presenters use:
// splitters (pointer and keys) remembered across a reload, collapsing panels, the terminal's 80
// columns at 1200 px and in the presenter view at 1280x720, one panel at a time on a phone with
// the extra keys reaching the real shell, and the terminal still drawing after WebGL is lost.
import { describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, launch, NO_CHROMIUM, openPlayground, screenshot, termText, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ poolSize: 1, maxSessions: 16, detachGraceMs: 5_000 }, { refillPool: true }, (s, b) => {
  srv = s;
  browser = b;
});

const openPage = (width: number, height: number, url = '/'): Promise<Page> => openPlayground(browser, srv.base, url, { width, height });

const cols = (page: Page) => page.evaluate(() => window.__isoplay.terminals.shell.cols);
const widthOf = async (page: Page, sel: string) => (await page.locator(sel).boundingBox())?.width ?? 0;
/** Which of the three panels are on the screen. */
const visiblePanels = (page: Page) =>
  page.evaluate(() => ['lab-panel', 'term-col', 'kernel-view'].filter((id) => document.getElementById(id)!.getBoundingClientRect().width > 0));

async function typeLine(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

describe.skipIf(!CHROMIUM)(`the page's layout${skipReason}`, () => {
  it('1920x1080: a splitter dragged or moved with arrow keys resizes its panel and the terminal, kept across a reload; a panel collapses and comes back', async () => {
    const page = await openPage(1920, 1080);
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col', 'kernel-view']);
    await page.waitForSelector('.kv-chart canvas');
    await screenshot(page, 'layout-1920');
    const lab0 = await widthOf(page, '#lab-panel');
    const cols0 = await cols(page);

    // Drag the lab panel's splitter 150 px to the right.
    const sp = (await page.locator('#gutter-lab .splitter').boundingBox())!;
    await page.mouse.move(sp.x + sp.width / 2, sp.y + sp.height / 2);
    await page.mouse.down();
    await page.mouse.move(sp.x + sp.width / 2 + 75, sp.y + sp.height / 2, { steps: 5 });
    await page.mouse.move(sp.x + sp.width / 2 + 150, sp.y + sp.height / 2, { steps: 5 });
    await page.mouse.up();
    const lab1 = await widthOf(page, '#lab-panel');
    expect(lab1).toBeGreaterThan(lab0 + 140);
    expect(lab1).toBeLessThan(lab0 + 160);
    await page.waitForTimeout(300);
    expect(await cols(page)).toBeLessThan(cols0 - 10); // the terminal was re-fitted

    // The keyboard: a focusable separator with its value, arrow keys move it.
    await page.focus('#gutter-kv .splitter');
    expect(await page.getAttribute('#gutter-kv .splitter', 'role')).toBe('separator');
    const kv0 = await widthOf(page, '#kernel-view');
    expect(Number(await page.getAttribute('#gutter-kv .splitter', 'aria-valuenow'))).toBe(Math.round(kv0));
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    const kv1 = await widthOf(page, '#kernel-view');
    expect(kv1).toBe(kv0 + 48);
    expect(Number(await page.getAttribute('#gutter-kv .splitter', 'aria-valuenow'))).toBe(Math.round(kv1));
    // The charts follow their panel's width (inside it, not clipped).
    await page.waitForTimeout(300);
    const chart = (await page.locator('.kv-chart canvas').first().boundingBox())!;
    const kvBox = (await page.locator('#kernel-view').boundingBox())!;
    expect(chart.x + chart.width).toBeLessThanOrEqual(kvBox.x + kvBox.width);
    expect(chart.width).toBeGreaterThan(kv1 - 80);

    // Reload: the same widths.
    await page.reload();
    await waitForTerm(page, /root@sandbox/);
    expect(await widthOf(page, '#lab-panel')).toBe(lab1);
    expect(await widthOf(page, '#kernel-view')).toBe(kv1);

    // Collapse the kernel view: its tab stays at the edge, the terminal gets the room.
    const colsOpen = await cols(page);
    await page.click('#gutter-kv .panel-toggle');
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col']);
    expect(await page.getAttribute('#gutter-kv .panel-toggle', 'aria-expanded')).toBe('false');
    expect(await page.textContent('#gutter-kv .panel-toggle')).toBe('Kernel view');
    await page.waitForTimeout(300);
    expect(await cols(page)).toBeGreaterThan(colsOpen + 20);
    await screenshot(page, 'layout-1920-kv-collapsed');
    await page.reload();
    await waitForTerm(page, /root@sandbox/);
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col']);
    await page.click('#gutter-kv .panel-toggle');
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col', 'kernel-view']);
    expect(await widthOf(page, '#kernel-view')).toBe(kv1);
    await page.close();
  });

  it('1366x768 shows all three panels with 80 columns; at 1200 px the kernel view collapses to a tab so that the terminal keeps 80', async () => {
    const page = await openPage(1366, 768, '/?lab=first-namespace');
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col', 'kernel-view']);
    expect(await cols(page)).toBeGreaterThanOrEqual(80);
    // Eight namespace columns are wider than the kernel view here: the table scrolls on its own
    // (with a hint), the panel does not, and scrolled to its end it shows the last column.
    await page.waitForSelector('.kv-ns tr[data-hostpid]');
    const nsScroll = () =>
      page.evaluate(() => {
        const wrap = document.querySelector<HTMLElement>('.kv-ns-wrap')!;
        const col = document.querySelector<HTMLElement>('.kv-col')!;
        const last = document.querySelector<HTMLElement>('.kv-ns thead th:last-child')!.getBoundingClientRect();
        const box = wrap.getBoundingClientRect();
        return { wraps: wrap.scrollWidth > wrap.clientWidth, panelScrolls: col.scrollWidth > col.clientWidth, more: wrap.dataset.more === 'true', hint: !document.querySelector<HTMLElement>('.kv-more-cols')!.hidden, lastShown: last.right <= box.right + 1 };
      });
    expect(await nsScroll()).toEqual({ wraps: true, panelScrolls: false, more: true, hint: true, lastShown: false });
    await screenshot(page, 'layout-1366');
    await page.$eval('.kv-ns-wrap', (w) => w.scrollTo({ left: w.scrollWidth }));
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('.kv-ns-wrap')!.dataset.more);
    expect(await nsScroll()).toEqual({ wraps: true, panelScrolls: false, more: false, hint: false, lastShown: true });
    await page.$eval('.kv-ns-wrap', (w) => w.scrollTo({ left: 0 }));
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.kv-ns-wrap')!.dataset.more === 'true');
    // Given room for every column (as a wider panel would), the hint goes at once, and comes back.
    await page.$eval('.kv-ns-wrap', (w) => (w.style.width = `${w.scrollWidth}px`));
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('.kv-ns-wrap')!.dataset.more);
    expect(await page.isHidden('.kv-more-cols')).toBe(true);
    await page.$eval('.kv-ns-wrap', (w) => (w.style.width = ''));
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.kv-ns-wrap')!.dataset.more === 'true');

    await page.setViewportSize({ width: 1200, height: 800 });
    await page.waitForTimeout(400);
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col']);
    expect(await cols(page)).toBeGreaterThanOrEqual(80);
    const tab = page.locator('#gutter-kv .panel-toggle');
    expect(await tab.textContent()).toBe('Kernel view');
    expect(await tab.isVisible()).toBe(true);
    // The PTY in the sandbox has the columns xterm shows.
    await page.click('.term[data-terminal="shell"]');
    await typeLine(page, 'clear; stty size');
    const size = await waitForTerm(page, /^\d+ \d+$/m);
    expect(Number(/^\d+ (\d+)$/m.exec(size)![1])).toBe(await cols(page));
    await screenshot(page, 'layout-1200');
    // The learner can still open it (the terminal narrows, their choice).
    await tab.click();
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col', 'kernel-view']);
    await page.close();
  });

  it('a phone (390x844) shows one panel at a time; the extra keys reach the shell: Ctrl+C, sticky Ctrl, Tab', async () => {
    const page = await openPage(390, 844);
    expect(await page.locator('#phone-tabs [role="tab"]').allTextContents()).toEqual(['Lab', 'Terminal', 'Kernel']);
    for (const [tab, panel] of [['Terminal', 'term-col'], ['Kernel', 'kernel-view'], ['Lab', 'lab-panel']]) {
      await page.click(`#phone-tabs [role="tab"]:text-is("${tab}")`);
      expect(await visiblePanels(page)).toEqual([panel]);
      expect(await page.getAttribute(`#phone-tabs [role="tab"]:text-is("${tab}")`, 'aria-selected')).toBe('true');
    }
    await page.click('#phone-tabs [role="tab"]:text-is("Terminal")');
    // The terminal renders in its one column, and the top bar and keys stay on the screen.
    await page.waitForTimeout(300);
    const c = await cols(page);
    expect(c).toBeGreaterThan(30);
    // Every key fits on the screen, Ctrl+C (the last) too.
    const last = (await page.locator('#extra-keys [data-key="ctrl-c"]').boundingBox())!;
    expect(last.x + last.width).toBeLessThanOrEqual(390);
    expect(await page.locator('#extra-keys button').allTextContents()).toEqual(['Ctrl', 'Esc', 'Tab', '←', '↑', '↓', '→', 'Ctrl+C']);

    // Ctrl+C interrupts a running program.
    await page.click('.term[data-terminal="shell"]');
    await typeLine(page, 'sleep 100; echo slept');
    await page.waitForTimeout(500);
    await page.click('#extra-keys [data-key="ctrl-c"]');
    await typeLine(page, 'echo after-$((3*3))');
    await waitForTerm(page, /^after-9$/m, 'shell', 5000);
    expect(await termText(page)).not.toMatch(/^slept$/m);
    // Ctrl is sticky: Ctrl, then the c key typed, is Ctrl+C.
    await typeLine(page, 'sleep 100; echo slept');
    await page.waitForTimeout(500);
    await page.click('#extra-keys [data-key="ctrl"]');
    expect(await page.getAttribute('#extra-keys [data-key="ctrl"]', 'aria-pressed')).toBe('true');
    await page.keyboard.type('c');
    expect(await page.getAttribute('#extra-keys [data-key="ctrl"]', 'aria-pressed')).toBe('false');
    await typeLine(page, 'echo sticky-$((4*4))');
    await waitForTerm(page, /^sticky-16$/m, 'shell', 5000);
    expect(await termText(page)).not.toMatch(/^slept$/m);
    // Tab completes, and the up arrow brings back the last command.
    await page.keyboard.type('cd /pro');
    await page.click('#extra-keys [data-key="tab"]');
    await typeLine(page, '');
    await typeLine(page, 'echo "where=$(pwd)"');
    await waitForTerm(page, /^where=\/proc$/m, 'shell', 5000);
    await page.click('#extra-keys [data-key="up"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const b = window.__isoplay.terminals.shell.buffer.active;
      let n = 0;
      for (let i = 0; i < b.length; i++) if (b.getLine(i)!.translateToString(true) === 'where=/proc') n++;
      return n === 2;
    });
    await screenshot(page, 'layout-390');
    await page.click('#phone-tabs [role="tab"]:text-is("Kernel")');
    await screenshot(page, 'layout-390-kernel');
    await page.close();

    // A lab's Run button on a phone brings the terminal it typed into into view.
    const lab = await openPage(390, 844, '/?lab=first-namespace');
    expect(await visiblePanels(lab)).toEqual(['lab-panel']);
    await lab.click('.lab-step[data-step="1"] .lab-predict-opt >> nth=1');
    await lab.click('.lab-step[data-step="1"] .lab-run >> nth=0');
    expect(await visiblePanels(lab)).toEqual(['term-col']);
    await waitForTerm(lab, /hostname/);
    await lab.close();
  });

  it('the terminal still shows its text after its WebGL context is lost (xterm\'s DOM renderer takes over)', async () => {
    const page = await openPage(1366, 768);
    const term = '.term[data-terminal="shell"]';
    expect(await page.getAttribute(term, 'data-renderer')).toBe('webgl');
    // A real context loss, as a GPU reset does it.
    const lost = await page.evaluate(() => {
      for (const c of document.querySelectorAll<HTMLCanvasElement>('.term[data-terminal="shell"] canvas')) {
        const gl = c.getContext('webgl2');
        const ext = gl?.getExtension('WEBGL_lose_context');
        if (ext) {
          ext.loseContext();
          return true;
        }
      }
      return false;
    });
    expect(lost).toBe(true);
    await page.waitForSelector(`${term}[data-renderer="dom"]`, { timeout: 10_000 });
    await page.click(term);
    await typeLine(page, 'echo drawn-by-$((40+2))');
    await waitForTerm(page, /^drawn-by-42$/m);
    // The DOM renderer puts the text on the page itself: it is really drawn.
    await page.waitForFunction(() => /drawn-by-42/.test(document.querySelector('.term[data-terminal="shell"] .xterm-rows')?.textContent ?? ''));
    expect(await page.locator(`${term} .xterm-rows`).isVisible()).toBe(true);
    await page.close();
  });

  it('a new device scale (2x, as when the window moves to another screen) re-makes the WebGL renderer for it, and the terminal keeps drawing', async () => {
    const page = await openPage(1366, 768);
    const term = '.term[data-terminal="shell"]';
    expect(await page.getAttribute(term, 'data-renderer')).toBe('webgl');
    expect(await page.getAttribute(term, 'data-pixel-ratio')).toBe('1');
    // Mark the renderer's canvas, and read the size of a cell in device pixels (what the renderer draws at).
    const cellPx = () => page.evaluate(() => (window.__isoplay.terminals.shell as unknown as { _core: { _renderService: { dimensions: { device: { cell: { width: number } } } } } })._core._renderService.dimensions.device.cell.width);
    const markGl = () =>
      page.evaluate(() => {
        const c = [...document.querySelectorAll('.term[data-terminal="shell"] canvas')].find((x) => (x as HTMLCanvasElement).getContext('webgl2'));
        c?.setAttribute('data-gl', '1');
        return !!c;
      });
    expect(await markGl()).toBe(true);
    const cell1 = await cellPx();
    // The window moves to a 2x screen (a few pixels shorter there). Headless chromium fires no event
    // for a scale change alone, so the size changes with it, as it does on a real move or zoom.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1366, height: 760, deviceScaleFactor: 2, mobile: false });
    await page.waitForSelector(`${term}[data-pixel-ratio="2"]`, { timeout: 10_000 });
    expect(await page.getAttribute(term, 'data-renderer')).toBe('webgl');
    // A fresh renderer (the marked canvas is gone), whose cells are twice as many device pixels.
    expect(await page.$$eval(`${term} canvas[data-gl]`, (l) => l.length)).toBe(0);
    expect(await markGl()).toBe(true);
    expect((await cellPx()) / cell1).toBeCloseTo(2, 1);
    await page.click(term);
    await typeLine(page, 'clear; printf "%s\\n" {1..12}-########################################');
    await waitForTerm(page, /^12-#{40}$/m);
    // It really draws: the terminal's pixels are not one flat colour.
    const box = (await page.locator(`${term} .xterm-screen`).boundingBox())!;
    const png = await page.screenshot({ clip: { x: box.x, y: box.y, width: Math.min(box.width, 500), height: Math.min(box.height, 300) } });
    // (Decoded by the browser itself: draw the screenshot on a 2D canvas, count the bright pixels.)
    const lit = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 300) n++;
      return n / (c.width * c.height);
    }, png.toString('base64'));
    expect(lit).toBeGreaterThan(0.02);
    await screenshot(page, 'layout-dpr2');
    await page.close();
  });

  it('with WebGL unavailable from the start (chromium --disable-3d-apis), the terminal draws with the DOM renderer', async () => {
    const noGl = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-3d-apis', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      const page = await noGl.newPage({ viewport: { width: 1366, height: 768 } });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(srv.base);
      await waitForTerm(page, /root@sandbox/);
      expect(await page.evaluate(() => document.createElement('canvas').getContext('webgl2'))).toBeNull();
      expect(await page.getAttribute('.term[data-terminal="shell"]', 'data-renderer')).toBe('dom');
      await page.click('.term[data-terminal="shell"]');
      await typeLine(page, 'echo no-gl-$((6*7))');
      await page.waitForFunction(() => /no-gl-42/.test(document.querySelector('.term[data-terminal="shell"] .xterm-rows')?.textContent ?? ''));
    } finally {
      await noGl.close();
    }
  });

  it('presenter view at 1280x720: 80 columns, bigger panel text, focus mode shows one panel, banners hide themselves', async () => {
    const page = await openPage(1280, 720, '/?lab=first-namespace');
    await page.waitForSelector('.lab-step[data-step="1"]');
    const title = '#lab-panel .lab-step-title';
    const small = (await page.locator(title).boundingBox())!.height;
    await page.click('#present');
    await page.waitForTimeout(400);
    expect(await page.evaluate(() => window.__isoplay.terminals.shell.options.fontSize)).toBe(20);
    expect(await cols(page)).toBeGreaterThanOrEqual(80);
    expect((await page.locator(title).boundingBox())!.height).toBeGreaterThan(small * 1.15);
    await screenshot(page, 'layout-1280-presenter');

    // Focus mode: the terminal and the lab steps; the kernel view's tab swaps them.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col', 'kernel-view']);
    // The charts scale with the kernel view's text, and stay inside it.
    const kvBox = (await page.locator('#kernel-view').boundingBox())!;
    const chart = (await page.locator('.kv-chart canvas').first().boundingBox())!;
    expect(chart.height).toBeGreaterThan(92 * 1.2);
    expect(chart.x + chart.width).toBeLessThanOrEqual(kvBox.x + kvBox.width);
    await page.click('#focus-mode');
    expect(await page.getAttribute('#focus-mode', 'aria-pressed')).toBe('true');
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col']);
    await page.click('#gutter-kv .panel-toggle');
    expect(await visiblePanels(page)).toEqual(['term-col', 'kernel-view']);
    await screenshot(page, 'layout-1920-presenter-focus');
    await page.click('#focus-mode');
    expect(await visiblePanels(page)).toEqual(['lab-panel', 'term-col', 'kernel-view']);

    // A banner (here: a workshop code that does not exist) hides itself after a few seconds.
    await page.goto(`${srv.base}/?join=NOSUCHCODE`);
    await page.waitForSelector('#banner:not([hidden])');
    expect(await page.textContent('#banner')).toMatch(/free sandbox/);
    await page.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 9000 });
    await page.close();
  });
});
