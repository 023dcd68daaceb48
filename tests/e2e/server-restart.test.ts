// kill -9 of the server mid-lab, then a restart on the same port and data directory: the learner's
// page reconnects by itself, lands at the same step with the same passed checks, in a new sandbox
// rebuilt by replaying the solves (the hostname step 1 set is there again), and says what happened;
// nothing of the old server's sandbox is left. Then a sandbox killed from outside: the page says
// so and offers a fresh one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, ensureWebBuilt, launch, screenshot, termText, waitForTerm } from '../helpers/browser.js';
import { isoplayCgroupsNamed } from '../helpers/leaks.js';
import { startMainServer } from '../helpers/server.js';

const skipReason = CHROMIUM ? '' : ' (skipped: Debian chromium is not installed)';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-restart-'));
const port = 21000 + (process.pid % 20000);
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess | undefined;
let browser: Browser;

function startServer(): Promise<ChildProcess> {
  return startMainServer(dataDir, port, ['--pool-size', '0', '--world', 'off']);
}

/** kill -9 of the server (tsx runs node as a child: both, as a crash would). */
async function crash(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  spawnSync('pkill', ['-KILL', '-P', String(child.pid)]);
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  if (!CHROMIUM) return;
  ensureWebBuilt();
  browser = await launch();
  server = await startServer();
});
afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sessionId = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('isoplay.session') ?? 'null')?.id as string | undefined);

describe.skipIf(!CHROMIUM)(`a server killed mid-lab, and a sandbox killed from outside${skipReason}`, () => {
  it('after kill -9 and a restart, the page reconnects by itself at the same step, with its passed check and a sandbox rebuilt by replaying the solves', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${base}/?lab=first-namespace`);
    await waitForTerm(page, /root@sandbox/);
    await page.waitForSelector('.lab-step[data-step="1"]');
    // Step 1 by typing it: the automatic check passes it.
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('hostname my-box');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="1"]', { timeout: 20_000 });
    await page.click('.lab-next');
    await page.waitForSelector('.lab-step[data-step="2"]');
    const before = await sessionId(page);
    expect(before).toMatch(/^s/);
    expect(isoplayCgroupsNamed(before!).length).toBeGreaterThan(0);

    await crash(server!);
    // The page notices (offline), and comes back by itself once the server is up again.
    await page.waitForSelector('.offline-overlay:not([hidden]), [data-conn="offline"], .term-offline', { timeout: 15_000 }).catch(() => undefined);
    server = await startServer();
    await page.waitForFunction((old) => {
      const s = JSON.parse(sessionStorage.getItem('isoplay.session') ?? 'null');
      return s && s.id !== old;
    }, before, { timeout: 60_000 });
    await waitForTerm(page, /root@my-box/, 'shell', 30_000);
    // Same step, same passed check, and said.
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="1"]');
    await page.waitForSelector('.lab-step[data-step="2"]');
    expect(await page.textContent('#banner')).toMatch(/server restarted.*step 2/i);
    // The new sandbox has what step 1's solve made: its hostname.
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo "name=$(hostname)"');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /^name=my-box$/m);
    // Nothing of the old server's sandbox is left (the restarted server's reaper took it).
    expect(isoplayCgroupsNamed(before!)).toEqual([]);
    await screenshot(page, 'server-restarted');
    await page.close();
  }, 180_000);

  it('a sandbox killed from outside: the page says so and offers a fresh one, which works', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(base);
    await waitForTerm(page, /root@sandbox/);
    const id = await sessionId(page);
    // From outside: every process of the session's cgroup, killed by the host's root.
    const procs = isoplayCgroupsNamed(id!).flatMap((d) => {
      try {
        return fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    });
    expect(procs.length).toBeGreaterThan(0);
    spawnSync('kill', ['-KILL', ...new Set(procs)]);
    await page.waitForSelector('.end-card', { timeout: 20_000 });
    expect(await page.textContent('.end-card')).toMatch(/ended|init/i);
    await page.click('.end-start-again');
    await page.waitForFunction((old) => JSON.parse(sessionStorage.getItem('isoplay.session') ?? 'null')?.id !== old, id, { timeout: 30_000 });
    await waitForTerm(page, /root@sandbox/, 'shell', 30_000);
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo fresh-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /^fresh-42$/m);
    expect(await termText(page)).toMatch(/fresh-42/);
    await page.close();
  }, 120_000);
});
