// Debian's chromium driven by playwright-core (npx playwright install cannot download browsers here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { PROJECT_ROOT, type Config } from '../../server/config.js';
import { startServer, type TestServer } from './server.js';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
export const SHOTS = path.join(os.tmpdir(), 'isoplay-shots');

// playwright's launch() always starts chromium with a new, empty profile directory of its own.
export async function launch(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Debian chromium is not installed (apt-get install chromium)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A browser test's title suffix when chromium is missing (the test then skips, saying why). */
export const NO_CHROMIUM = CHROMIUM ? '' : ' (skipped: Debian chromium is not installed)';

/**
 * The set-up every browser test file shares: the page built, a real server (with its pool filled
 * first when `refillPool`), chromium; both closed after the file. `use` receives them.
 */
export function useBrowserServer(overrides: Partial<Config>, opts: { refillPool?: boolean }, use: (srv: TestServer, browser: Browser) => void): void {
  let srv: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!CHROMIUM) return;
    ensureWebBuilt();
    srv = await startServer(overrides);
    if (opts.refillPool) srv.app.registry.refillPool();
    browser = await launch();
    use(srv, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });
}

/** A new page on `base + url`, its errors printed, once the shell's prompt is there. */
export async function openPlayground(browser: Browser, base: string, url = '/', viewport = { width: 1366, height: 768 }, prompt = /root@sandbox/): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(base + url);
  await waitForTerm(page, prompt);
  return page;
}

/** Builds the page once if dist/web is missing or older than its sources. */
export function ensureWebBuilt(): void {
  const index = path.join(PROJECT_ROOT, 'dist/web/index.html');
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  // The page's sources, and the server modules it bundles (the protocol, the step markdown parser).
  const sources = Math.max(newest(path.join(PROJECT_ROOT, 'web')), newest(path.join(PROJECT_ROOT, 'server/protocol')), fs.statSync(path.join(PROJECT_ROOT, 'server/labs/markdown.ts')).mtimeMs);
  if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < sources) execFileSync(path.join(PROJECT_ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}

/** The text of a terminal, read from xterm's buffer (WebGL draws on a canvas, not in the DOM). */
export async function termText(page: Page, name = 'shell'): Promise<string> {
  return page.evaluate((n) => {
    const t = window.__isoplay?.terminals?.[n];
    if (!t) return '';
    const b = t.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }, name);
}

export async function waitForTerm(page: Page, re: RegExp, name = 'shell', timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await termText(page, name);
    if (re.test(t)) return t;
    if (Date.now() > deadline) throw new Error(`terminal ${name} never showed ${re}; it shows:\n${t.trim().split('\n').slice(-15).join('\n')}`);
    await page.waitForTimeout(100);
  }
}

/** How many pixels of a canvas (a uPlot chart) have this colour, give or take 11 per channel. */
export async function canvasPixels(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(
    selector,
    (c, [r, g, b]) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - g) < 12 && Math.abs(d[i + 2] - b) < 12) n++;
      return n;
    },
    rgb,
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

declare global {
  interface Window {
    __isoplay: { terminals: Record<string, import('@xterm/xterm').Terminal>; session?: { id: string } };
  }
}

const AXE = path.join(PROJECT_ROOT, 'node_modules/axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core in the page: the serious and critical violations in `context` (a selector, or the whole page). */
export async function axeSerious(page: Page, context?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const all = await page.evaluate(async (ctx) => {
    const axe = (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const r = await axe.run(ctx ? document.querySelector(ctx) : document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`) }));
  }, context);
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
