// The playground in a real browser (Debian chromium): a learner types, resizes, pastes, reloads,
// completes a lab by clicking its exec blocks, and watches an OOM kill in the kernel view.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { canvasPixels, CHROMIUM, NO_CHROMIUM, openPlayground, screenshot, SHOTS, termText, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { vmUnavailable } from '../../server/labs/catalog.js';
import { TEST_INSTRUCTOR_KEY, startServer, type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
const vmMissing = vmUnavailable();
let srv: TestServer;
let browser: Browser;

// Closed pages leave detached sessions for the grace period: room for every test's pages.
useBrowserServer({ poolSize: 1, maxSessions: 24, detachGraceMs: 30_000 }, { refillPool: true }, (s, b) => {
  srv = s;
  browser = b;
});

const openPage = (url = '/'): Promise<Page> => openPlayground(browser, srv.base, url, { width: 1400, height: 860 });


/** Answers each step's prediction and clicks its Run buttons, as a learner would, until it passes. */
async function clickThroughStep(page: Page, step: number, passMs = 15_000): Promise<void> {
  // A passed step waits for the learner's "Next step →" (the panel never jumps by itself).
  if (!(await page.$(`.lab-step[data-step="${step}"]`)) && (await page.$('.lab-next'))) await page.click('.lab-next');
  await page.waitForSelector(`.lab-step[data-step="${step}"]`);
  if (await page.$('.lab-predict-opt:not([disabled])')) {
    await page.click('.lab-predict-opt >> nth=1');
    await page.waitForSelector('.lab-predict-explain');
  }
  // The panel re-renders as checks pass, so find each button afresh, within this step only.
  const n = await page.locator(`.lab-step[data-step="${step}"] .lab-run`).count();
  for (let i = 0; i < n; i++) {
    const b = page.locator(`.lab-step[data-step="${step}"] .lab-run`).nth(i);
    if ((await b.count()) === 0) break; // the step passed and the panel moved on
    await b.click();
    await page.waitForTimeout(800);
  }
  await page.waitForSelector(`.lab-step-item.lab-passed[data-step="${step}"]`, { timeout: passMs }).catch(async (e) => {
    await screenshot(page, `lab-stuck-step-${step}`);
    throw new Error(`step ${step} never passed: ${(e as Error).message}\nshell:\n${(await termText(page)).trim().split('\n').slice(-12).join('\n')}`);
  });
  // The step stays in view, passed, with its message; the learner moves on when they choose to.
  await page.waitForSelector(`.lab-step[data-step="${step}"] .lab-check[disabled]`);
  if (await page.$('.lab-next')) await page.click('.lab-next');
}

describe.skipIf(!CHROMIUM)(`the playground in a browser${skipReason}`, () => {
  it('types a command like a person, resizes, pastes, and reloads into the same shell', async () => {
    const page = await openPage();
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo $((6*7)); echo shellpid=$$');
    await page.keyboard.press('Enter');
    const t = await waitForTerm(page, /^42$/m);
    const pid = /shellpid=(\d+)/.exec(t.split('\n').filter((l) => !l.includes('echo'))[0] ?? t)?.[1] ?? /\nshellpid=(\d+)/.exec(t)![1];

    // Resize the window: xterm refits and the PTY inside the sandbox follows (stty size).
    const sizeOf = async () => {
      await page.keyboard.type('clear; stty size');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(500);
      const all = [...(await termText(page)).matchAll(/^(\d+) (\d+)$/gm)];
      const last = all.at(-1)!;
      const xterm = await page.evaluate(() => [window.__isoplay.terminals.shell.rows, window.__isoplay.terminals.shell.cols]);
      return { pty: [Number(last[1]), Number(last[2])], xterm };
    };
    const before = await sizeOf();
    expect(before.pty).toEqual(before.xterm);
    await page.setViewportSize({ width: 1250, height: 640 });
    await page.waitForTimeout(400);
    const after = await sizeOf();
    expect(after.pty).toEqual(after.xterm);
    expect(after.pty[0]).toBeLessThan(before.pty[0]);
    // 1250 px is too narrow for three panels and an 80-column terminal: the kernel view collapses
    // to a tab, so the terminal gets wider (tests/e2e/layout.test.ts has the layout itself).
    expect(after.pty[1]).not.toBe(before.pty[1]);
    expect(after.pty[1]).toBeGreaterThanOrEqual(80);

    // Presenter view: bigger text, so fewer rows and columns, and the PTY follows again.
    await page.click('#present');
    await page.click('.term[data-terminal="shell"]');
    expect(await page.evaluate(() => window.__isoplay.terminals.shell.options.fontSize)).toBe(20);
    const big = await sizeOf();
    expect(big.pty).toEqual(big.xterm);
    expect(big.pty[1]).toBeLessThan(after.pty[1]);
    await screenshot(page, 'presenter-view');
    await page.click('#present');
    await page.click('.term[data-terminal="shell"]');
    expect(await page.evaluate(() => window.__isoplay.terminals.shell.options.fontSize)).toBe(14);

    // Paste, as a clipboard paste inserts text.
    await page.keyboard.insertText('echo pasted-$((2+3))');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /^pasted-5$/m);

    // Reload: the same session, its scrollback replayed, and the same shell answers.
    await page.reload();
    await waitForTerm(page, /^pasted-5$/m);
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo again=$$');
    await page.keyboard.press('Enter');
    await waitForTerm(page, new RegExp(`^again=${pid}$`, 'm'));
    await screenshot(page, 'terminal');
    await page.close();
  });

  it('the + tab opens another terminal into the same sandbox, which comes back after a reload', async () => {
    const page = await openPage();
    await waitForTerm(page, /#\s*$/m);
    await page.click('.tab-add');
    await page.waitForSelector('.tab[data-terminal="shell-2"][aria-selected="true"]');
    await waitForTerm(page, /#\s*$/m, 'shell-2');
    await page.keyboard.type('hostname second-tab; echo renamed-$((1+1))');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /^renamed-2$/m, 'shell-2');
    // The first tab's shell is in the same UTS namespace: it sees the new name.
    await page.click('.tab[data-terminal="shell"]');
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo "name=$(hostname)"');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /^name=second-tab$/m);
    expect(await page.locator('.tab').allTextContents()).toEqual(['Terminal 1', 'Terminal 2', '+']);
    await page.reload();
    await page.waitForSelector('.tab[data-terminal="shell-2"]');
    await waitForTerm(page, /^renamed-2$/m, 'shell-2');
    await screenshot(page, 'plus-tab');
    await page.close();
  });

  it('completes a lab by clicking its exec blocks, and every step turns green', async () => {
    const page = await openPage();
    await page.waitForSelector('.lab-card[data-lab="first-namespace"]');
    await page.click('.lab-card[data-lab="first-namespace"]');
    await page.waitForSelector('.lab-step[data-step="1"]');
    await screenshot(page, 'lab-start');
    for (const step of [1, 2, 3]) await clickThroughStep(page, step);
    expect(await page.$$eval('.lab-step-item.lab-passed', (els) => els.length)).toBe(3);
    await page.waitForSelector('.lab-done');
    await screenshot(page, 'lab-done');
    // The second terminal ran the observer's command: it saw the nested sleep/bash with its own PID.
    expect(await termText(page, 'observer')).toMatch(/unshare --pid/);
    // Back on the lab list (a new session, after the page asks), the learner's progress is read through that session.
    await page.click('.lab-back');
    await page.click('.confirm-dialog .confirm-ok');
    await page.waitForSelector('.lab-card[data-lab="first-namespace"] .lab-meta b');
    expect(await page.textContent('.lab-card[data-lab="first-namespace"] .lab-meta b')).toBe('done ✓');
    await page.close();
  });

  it('runs the microservices lab by clicking: two services in containers of their own, then a rolling deploy', async () => {
    const page = await openPage();
    await page.click('.lab-card[data-lab="microservices"]');
    await page.waitForSelector('#term-tabs .tab[data-terminal="client"]');
    for (const step of [1, 2, 3]) await clickThroughStep(page, step, 20_000);
    // Steps 4 and 5 (a memory limit, replicas) are the lab self-test's; here the first three by clicking.
    await page.waitForSelector('.lab-progress:has-text("3 of 5 steps done")');
    expect(await termText(page, 'client')).toMatch(/shop: you can order tea, coffee, cocoa \(catalog v2 at 10\.0\.0\.4\)/);
    // The kernel view marks the services' network and PID namespaces as new (nested in the sandbox).
    const httpdRows = page.locator('.kv-ns tr', { hasText: 'busybox' }); // busybox httpd: comm is busybox
    expect(await httpdRows.count()).toBeGreaterThanOrEqual(2);
    expect(await httpdRows.first().locator('td.kv-nested').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'microservices-lab');
    await page.close();
  });

  it('Reset step gives a fresh sandbox at the start of the step, with the earlier steps replayed', async () => {
    const page = await openPage();
    await page.click('.lab-card[data-lab="first-namespace"]');
    await clickThroughStep(page, 1);
    await page.waitForSelector('.lab-step[data-step="2"]');
    // Mess up the sandbox: a file, and the hostname step 1 set is undone.
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('touch /root/mess; hostname wrong; echo shell=$$ > /dev/null');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /hostname wrong/);
    const oldId = await page.evaluate(() => window.__isoplay.session?.id);
    await page.click('.lab-step[data-step="2"] .lab-reset');
    await page.click('.confirm-dialog .confirm-ok');
    await page.waitForFunction((id) => window.__isoplay.session?.id && window.__isoplay.session.id !== id, oldId);
    // The new sandbox is at step 2: step 1's solve ran again (hostname my-box), the mess is gone.
    await waitForTerm(page, /root@my-box/);
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('ls /root/mess; hostname');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /No such file or directory/);
    await waitForTerm(page, /^my-box$/m);
    expect(await page.$$eval('.lab-step-item.lab-passed', (els) => els.map((e) => (e as HTMLElement).dataset.step))).toEqual(['1']);
    await page.waitForSelector('.lab-step[data-step="2"]');
    await page.close();
  });

  it('during the memory lab, shows the cgroup gauge and the OOM kill in the kernel view', async () => {
    const page = await openPage();
    await page.waitForSelector('.lab-card[data-lab="cgroup-memory"]');
    await page.click('.lab-card[data-lab="cgroup-memory"]');
    for (const step of [1, 2, 3]) await clickThroughStep(page, step);
    await page.waitForSelector('.kv-cgroup[data-path="/demo"]');
    await page.waitForSelector('.kv-event[data-kind="oom"]', { timeout: 10_000 });
    expect(await page.textContent('.kv-cgroup[data-path="/demo"]')).toMatch(/20 MiB/);
    expect(await page.textContent('.kv-cgroup[data-path="/demo"]')).toMatch(/1 OOM kill/);
    // /demo exists only in the memory hierarchy: pids are "not counted", never a false "0 / ∞".
    expect(await page.textContent('.kv-cgroup[data-path="/demo"] [data-kind="pids"]')).toMatch(/not counted: this cgroup is not in the pids hierarchy/);
    // The chart is drawn (the memory line's colour is on the canvas), though /demo had no limit at first.
    // Its time axis spans 120 s from the start, so a cgroup a few seconds old is a short line at
    // the right edge (about 2 px a second; flat at the bottom once the OOM kill emptied it): a few
    // dozen pixels of its colour, none while the chart was blank.
    await expect.poll(() => canvasPixels(page, '.kv-cgroup[data-path="/demo"] canvas', [0x5c, 0xcf, 0xe6]), { timeout: 10_000, interval: 500 }).toBeGreaterThan(12);
    const memData = await page.$eval('.kv-cgroup[data-path="/demo"] .kv-chart[data-kind="memory"]', (c) => (c as HTMLElement & { plot: { data: (number | null)[][] } }).plot.data[1]);
    expect(memData.length).toBeGreaterThan(2);
    // The hog lived between two samples, but the kernel's peak (max_usage_in_bytes, memory.peak) saw it touch the limit.
    expect(await page.textContent('.kv-cgroup[data-path="/demo"] [data-kind="memory"]')).toMatch(/peak 20 MiB/);
    const peakData = await page.$eval('.kv-cgroup[data-path="/demo"] .kv-chart[data-kind="memory"]', (c) => (c as HTMLElement & { plot: { data: (number | null)[][] } }).plot.data[3]);
    expect(peakData.at(-1)).toBe(20);
    expect(await canvasPixels(page, '.kv-cgroup[data-path="/demo"] canvas', [0xd2, 0xa6, 0xff])).toBeGreaterThan(12);
    await page.locator('.kv-cgroup[data-path="/demo"]').screenshot({ path: `${SHOTS}/kernel-view-demo-cgroup.png` });
    expect(memData.every((v) => v === null || Number.isFinite(v))).toBe(true);
    // pids and CPU get charts too, except where the controller does not count the cgroup; the
    // sandbox's CPU chart shows the hog's burst (its line colour is on the canvas).
    expect(await page.isHidden('.kv-cgroup[data-path="/demo"] .kv-chart[data-kind="pids"]')).toBe(true);
    expect(await page.isVisible('.kv-cgroup[data-path="/"] .kv-chart[data-kind="pids"]')).toBe(true);
    const cpuData = await page.$eval('.kv-cgroup[data-path="/"] .kv-chart[data-kind="cpu"]', (c) => (c as HTMLElement & { plot: { data: (number | null)[][] } }).plot.data[1]);
    expect(Math.max(...cpuData.map((v) => v ?? 0))).toBeGreaterThan(0.5);
    const cpuPixels = await canvasPixels(page, '.kv-cgroup[data-path="/"] .kv-chart[data-kind="cpu"] canvas', [0xff, 0xb4, 0x54]);
    expect(cpuPixels).toBeGreaterThan(12);
    expect(await page.textContent('.kv-events')).toMatch(/OOM kill in \/demo/);
    expect(await page.textContent('.kv-verdict')).toMatch(/Same kernel/);
    expect(await page.$$eval('.kv-ns td.kv-own', (els) => els.length)).toBeGreaterThan(0);
    await page.evaluate(() => document.querySelector('.kv-col')!.scrollTo(0, 400));
    await screenshot(page, 'kernel-view');
    await page.close();
  });

  it.skipIf(!!vmMissing)(`boots a VM in the containers-vs-VMs lab, copies its boot id across terminals with the mouse and the clipboard, and the kernel view shows two kernels${vmMissing ? ` (skipped: ${vmMissing})` : ''}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(srv.base + '/');
    await waitForTerm(page, /root@sandbox/);
    await page.click('.lab-card[data-lab="containers-vs-vms"]');
    await page.waitForSelector('#term-tabs .tab[data-terminal="vm"]');
    expect(await page.textContent('#term-tabs')).toMatch(/VM console.*Container/);

    // Step 1: boot it. The check passes when the guest reports (the sampler wakes the lab's check).
    await clickThroughStep(page, 1, 120_000);
    await page.waitForSelector('.kv-vm');
    const vmBoot = (await page.getAttribute('.kv-vm td:nth-of-type(2)', 'title'))!;
    const hostBoot = (await page.getAttribute('.kv-kernel tbody tr:first-child td:nth-of-type(2)', 'title'))!;
    expect(vmBoot).toMatch(/^[0-9a-f-]{36}$/);
    expect(vmBoot).not.toBe(hostBoot);
    expect(await page.textContent('.kv-vm')).toMatch(/TCG|KVM/);
    expect(await page.textContent('.kv-vmverdict')).toMatch(/kernel of its own/);
    // Its RAM as qemu was told (isoplay-vm's default -m 96) and as the guest's kernel sees it.
    expect(await page.textContent('.kv-vmdetail .kv-vmmem')).toMatch(/^RAM: 96 MiB configured \(qemu -m\), \d+ MiB seen by the guest \(its kernel keeps the rest\), \d+ MiB used by qemu on the host now/);
    await waitForTerm(page, /root@vm/, 'vm', 30_000);

    // Step 2: ask both kernels (the Run buttons), then copy the VM's boot id with a double click and
    // Ctrl+Shift+C, and paste it into the container's terminal with Ctrl+Shift+V.
    await page.waitForSelector('.lab-step[data-step="2"]');
    if (await page.$('.lab-predict-opt:not([disabled])')) await page.click('.lab-predict-opt >> nth=0');
    for (let i = 0; i < 2; i++) {
      await page.locator('.lab-step[data-step="2"] .lab-run').nth(i).click();
      await page.waitForTimeout(1500);
    }
    await page.click('#term-tabs .tab[data-terminal="vm"]');
    await waitForTerm(page, new RegExp(`^${vmBoot}$`, 'm'), 'vm', 20_000);
    const cell = await page.evaluate((boot) => {
      const t = window.__isoplay.terminals.vm;
      const b = t.buffer.active;
      for (let i = b.length - 1; i >= 0; i--) {
        if (b.getLine(i)!.translateToString(true) === boot) return { row: i - b.viewportY, rows: t.rows, cols: t.cols };
      }
      return undefined;
    }, vmBoot);
    expect(cell).toBeDefined();
    const box = (await page.locator('.term[data-terminal="vm"] .xterm-screen').boundingBox())!;
    await page.mouse.dblclick(box.x + (10.5 * box.width) / cell!.cols, box.y + ((cell!.row + 0.5) * box.height) / cell!.rows);
    await page.keyboard.press('Control+Shift+C');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(vmBoot);
    await page.click('#term-tabs .tab[data-terminal="shell"]');
    await page.keyboard.type('echo ');
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.type(' > /root/vm-boot-id; cat /root/vm-boot-id');
    await page.keyboard.press('Enter');
    await waitForTerm(page, new RegExp(`^${vmBoot}$`, 'm'), 'shell');
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="2"]', { timeout: 15_000 });
    await page.evaluate(() => document.querySelector('.kv-col')!.scrollTo(0, 0));
    await screenshot(page, 'vm-lab-two-kernels');

    // Steps 3 to 5: a container beside the VM, the same image unpacked and run in both, then
    // poweroff; the VM row leaves the kernel view.
    await clickThroughStep(page, 3);
    // Step 4's text asks for Check once both image shells run: the VM reports what runs from an
    // image root every 2 s, after the last command, when no more typing would start an automatic check.
    await page.waitForSelector('.lab-step[data-step="4"] .lab-predict-opt');
    await page.click('.lab-step[data-step="4"] .lab-predict-opt >> nth=1');
    for (let i = 0; i < 4; i++) {
      await page.locator('.lab-step[data-step="4"] .lab-run').nth(i).click();
      await page.waitForTimeout(i === 2 ? 5000 : 1000); // the VM unpacks its disk under emulation
    }
    await waitForTerm(page, /ID=busybox[\s\S]*6\.1\.[0-9]+-[0-9]+-amd64\s+[0-9a-f]{64}/, 'vm', 40_000);
    for (let i = 0; i < 12 && !(await page.$('.lab-step-item.lab-passed[data-step="4"]')); i++) {
      await page.waitForTimeout(2500);
      if (await page.$('.lab-step[data-step="4"] .lab-check:not([disabled])')) await page.click('.lab-step[data-step="4"] .lab-check');
    }
    await page.waitForSelector('.lab-step[data-step="4"] .lab-result-passed:has-text("The same image, unchanged, runs on two kernels")', { timeout: 10_000 });
    await screenshot(page, 'vm-lab-same-image');
    await clickThroughStep(page, 5, 30_000);
    await page.waitForSelector('.kv-vm', { state: 'detached', timeout: 15_000 });
    await page.waitForSelector('.lab-done');
    expect(await termText(page, 'vm')).toMatch(/the VM ran for \d+ s and is gone/);
    await context.close();
  });

  it('runs a workshop: the instructor creates it, two learners join by code and name, the dashboard follows them', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1300, height: 800 } });
    teacher.on('pageerror', (e) => console.error('page error:', e.message));
    await teacher.goto(`${srv.base}/instructor`);
    await teacher.fill('#ws-title', 'Containers 101');
    // Creating a workshop needs the server's instructor key.
    await teacher.fill('#ws-admin-key', TEST_INSTRUCTOR_KEY);
    await teacher.click('#ws-form button[type="submit"]');
    await teacher.waitForFunction(() => /^[A-Z2-9]{6}$/.test(document.getElementById('ws-code')?.textContent ?? ''));
    const code = (await teacher.textContent('#ws-code'))!;
    expect(await teacher.textContent('#ws-rows')).toMatch(/Nobody has joined yet/);

    const join = async (name: string): Promise<Page> => {
      const p = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      p.on('pageerror', (e) => console.error('page error:', e.message));
      await p.goto(`${srv.base}/?join=${code.toLowerCase()}`);
      await p.waitForSelector('#join-dialog[open]');
      expect(await p.textContent('#join-title')).toBe('Containers 101');
      if (name === 'Ada') await screenshot(p, 'workshop-join');
      await p.fill('#join-name', name);
      await p.click('#join-ok');
      await waitForTerm(p, /root@sandbox/);
      expect(await p.textContent('#workshop-chip')).toBe(`Workshop: Containers 101 · ${name}`);
      return p;
    };
    const ada = await join('Ada');
    const grace = await join('Grace');
    await ada.click('.lab-card[data-lab="first-namespace"]');
    await clickThroughStep(ada, 1);

    await teacher.waitForFunction(() => document.querySelector('#ws-rows tr[data-name="Ada"]')?.textContent?.includes('1/3'), undefined, { timeout: 10_000 });
    const adaRow = (await teacher.textContent('#ws-rows tr[data-name="Ada"]'))!;
    expect(adaRow).toMatch(/Your first namespaces/);
    expect(adaRow).toMatch(/1\/3 · A namespace inside the namespace/);
    expect(adaRow).toMatch(/s ago/);
    expect(await teacher.textContent('#ws-rows tr[data-name="Grace"]')).toMatch(/free sandbox/);
    expect(await teacher.$$eval('#ws-rows .ws-dot.ws-on', (els) => els.length)).toBe(2);
    expect(await teacher.textContent('#ws-summary')).toMatch(/2 learners · 2 connected/);

    // Grace raises her hand; the instructor sees it, and answers the room with an announcement.
    await grace.click('#help');
    await grace.click('#help-send'); // the line of text is optional
    await grace.waitForSelector('#help[aria-pressed="true"]');
    await teacher.waitForSelector('#ws-rows tr[data-name="Grace"] .ws-help', { timeout: 10_000 });
    expect(await teacher.textContent('#ws-summary')).toMatch(/1 asking for help/);
    await teacher.fill('#ws-announce-text', 'Five minutes left');
    await teacher.click('#ws-announce button[type="submit"]');
    await teacher.waitForFunction(() => /Sent to 2 sandboxes/.test(document.getElementById('ws-announce-done')?.textContent ?? ''));
    for (const p of [ada, grace]) {
      await p.waitForFunction(() => /Your instructor: Five minutes left/.test(document.getElementById('announcements')?.textContent ?? ''));
      expect(await p.isVisible('#announcements')).toBe(true);
    }
    await screenshot(teacher, 'workshop-dashboard');
    await screenshot(grace, 'workshop-learner');

    // A wrong code is a clear message, and the learner still gets a sandbox.
    const lost = await browser.newPage();
    await lost.goto(`${srv.base}/?join=ZZZZZZ`);
    await lost.waitForSelector('#banner:not([hidden])');
    expect(await lost.textContent('#banner')).toMatch(/No workshop with join code ZZZZZZ/);
    await waitForTerm(lost, /root@sandbox/);
    for (const p of [teacher, ada, grace, lost]) await p.close();
  });

  it('when the learner ends its own sandbox (kill 1), the page says so and gives a fresh one', async () => {
    const page = await openPage();
    const first = await page.evaluate(() => window.__isoplay.session!.id);
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('hostname doomed-box; kill -TERM 1\n');
    // The end card says why; a fresh sandbox comes when the learner asks for it.
    await page.waitForSelector('.end-card', { timeout: 15_000 });
    expect(await page.textContent('.end-card')).toMatch(/Why: the sandbox ended: its init \(PID 1\) exited\./);
    await page.click('.end-card .end-start-again');
    await page.waitForFunction((id) => window.__isoplay.session && window.__isoplay.session.id !== id, first, { timeout: 15_000 });
    await waitForTerm(page, /root@sandbox/);
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('hostname\n');
    await waitForTerm(page, /^sandbox$/m);
    expect(srv.app.registry.get(first)).toBeUndefined();
    await page.close();
  });

  it('shows a clear message when the playground is full', async () => {
    const full = await startServer({ maxSessions: 1 });
    try {
      const first = await fetch(`${full.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(first.status).toBe(201);
      const page = await browser.newPage();
      await page.goto(full.base);
      await page.waitForSelector('#banner:not([hidden])');
      expect(await page.textContent('#banner')).toMatch(/full/);
      await page.close();
    } finally {
      await full.close();
    }
  });
});
