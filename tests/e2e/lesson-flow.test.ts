// The learner's lesson flow in a real browser (issue 14, items 1–8 and 14): a passed step stays
// put and nothing moves under the pointer, whole commands, predictions marked, a question before
// a sandbox is deleted, a card when the session ends, an unmistakable disconnect, the next lab
// suggested, and errors that are not dead ends.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, NO_CHROMIUM, openPlayground, screenshot, termText, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { startServer, type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ poolSize: 1, maxSessions: 16, detachGraceMs: 30_000 }, { refillPool: true }, (s, b) => {
  srv = s;
  browser = b;
});

const openPage = (url = '/', viewport = { width: 1366, height: 768 }): Promise<Page> => openPlayground(browser, srv.base, url, viewport);

const sessionId = (page: Page) => page.evaluate(() => window.__isoplay.session?.id);

async function typeIn(page: Page, text: string, name = 'shell'): Promise<void> {
  await page.click(`.term[data-terminal="${name}"]`);
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Every Run button of the step in view sits beside its command, and the command is shown whole. */
async function expectWholeCommands(page: Page): Promise<number> {
  const blocks = await page.$$eval('.lab-step .lab-exec', (els) =>
    els.map((b) => {
      const pre = b.querySelector('pre')!;
      const code = b.querySelector('code')!;
      const btn = b.querySelector('.lab-run')!.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(code);
      const overlaps = [...range.getClientRects()].some((r) => r.width > 0 && r.left < btn.right && r.right > btn.left && r.top < btn.bottom && r.bottom > btn.top);
      return { code: code.textContent, overlaps, clipped: pre.scrollWidth > pre.clientWidth + 1 };
    }),
  );
  for (const b of blocks) expect(b, `the command ${JSON.stringify(b.code)}`).toEqual({ code: b.code, overlaps: false, clipped: false });
  return blocks.length;
}

describe.skipIf(!CHROMIUM)(`the lesson flow in a browser${skipReason}`, () => {
  it('marks a wrong prediction, shows whole commands, keeps a passed step in place with nothing moving under the pointer, and suggests the next lab', async () => {
    const page = await openPage();
    await page.click('.lab-card[data-lab="first-namespace"]');
    await page.waitForSelector('.lab-step[data-step="1"] .lab-predict-opt');

    // Item 3: a wrong answer is marked wrong, the right one marked and explained.
    await page.click('.lab-predict-opt[data-option="0"]');
    await page.waitForSelector('.lab-predict-explain');
    expect(await page.getAttribute('.lab-predict-opt[data-option="0"]', 'class')).toMatch(/lab-wrong/);
    expect(await page.textContent('.lab-predict-opt[data-option="0"]')).toMatch(/✗ Your answer/);
    expect(await page.getAttribute('.lab-predict-opt[data-option="1"]', 'class')).toMatch(/lab-right/);
    expect(await page.textContent('.lab-predict-opt[data-option="1"]')).toMatch(/✓ The right answer/);
    expect(await page.textContent('.lab-predict-explain')).toMatch(/Not quite: the right answer is marked ✓\. Your sandbox lives in its own UTS namespace/);
    await screenshot(page, 'flow-predict-wrong');
    // After a reload the marks and the explanation come back.
    await page.reload();
    await page.waitForSelector('.lab-predict-opt[data-option="0"].lab-wrong');
    await page.waitForSelector('.lab-predict-opt[data-option="1"].lab-right');
    expect(await page.textContent('.lab-predict-explain')).toMatch(/own UTS namespace/);

    // Item 2: each command shown whole, its Run button beside it, on a laptop and on a phone.
    expect(await expectWholeCommands(page)).toBe(2);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await expectWholeCommands(page)).toBe(2);
    await page.locator('.lab-step .lab-exec').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'flow-run-blocks-phone');
    await page.setViewportSize({ width: 1366, height: 768 });

    // Item 1: the step passes by the automatic check while the pointer rests on the Run button
    // just clicked. Nothing in the panel is replaced or moves; the step stays, with its ✓.
    await page.locator('.lab-step[data-step="1"] .lab-run').nth(0).click();
    await waitForTerm(page, /isoplay-init/);
    const last = page.locator('.lab-step[data-step="1"] .lab-run').nth(1);
    const before = await page.$$eval('#lab-panel button', (els) =>
      els.map((b, i) => {
        (b as HTMLElement & { __tag?: number }).__tag = i;
        const r = b.getBoundingClientRect();
        return [r.x, r.y, r.width, r.height];
      }),
    );
    const lastTag = await last.evaluate((b) => (b as HTMLElement & { __tag?: number }).__tag);
    await last.click();
    const box = (await last.boundingBox())!;
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="1"]', { timeout: 15_000 });
    await page.waitForSelector('.lab-step[data-step="1"] .lab-result-passed');
    const after = await page.$$eval('#lab-panel button', (els) =>
      els.map((b) => {
        const r = b.getBoundingClientRect();
        return { tag: (b as HTMLElement & { __tag?: number }).__tag, rect: [r.x, r.y, r.width, r.height], cls: b.className };
      }),
    );
    // The same buttons (not re-created), at the same places; only "Next step →" is new, after them,
    // and the next step's entry in the list, now unlocked, became a button (in place, same text).
    const kept = after.filter((a) => a.tag !== undefined);
    expect(kept.map((a) => a.tag)).toEqual(before.map((_, i) => i));
    expect(kept.map((a) => a.rect)).toEqual(before);
    expect(after.filter((a) => a.tag === undefined).map((a) => a.cls.includes('lab-next') ? 'next' : a.cls.includes('lab-step-open') ? 'step' : a.cls).sort()).toEqual(['next', 'step']);
    const under = await page.evaluate(([x, y]) => (document.elementFromPoint(x, y) as HTMLElement & { __tag?: number }).__tag, [box.x + box.width / 2, box.y + box.height / 2]);
    expect(under).toBe(lastTag);
    expect(await page.$('.lab-step[data-step="2"]')).toBeNull();
    expect(await page.textContent('.lab-step[data-step="1"] .lab-check')).toBe('Passed ✓');
    await page.waitForSelector('.lab-step[data-step="1"] .lab-next');
    // The pointer leaves the panel: now the ✓ message is scrolled into view.
    await page.mouse.move(700, 400);
    await page.waitForFunction(() => {
      const r = document.querySelector('.lab-step[data-step="1"] .lab-result-passed')!.getBoundingClientRect();
      return r.bottom <= window.innerHeight + 1 && r.top >= 0;
    });
    await screenshot(page, 'flow-step-passed-in-place');

    // On to the end of the lab, then the next lab of the path is suggested.
    await page.click('.lab-next');
    for (const step of [2, 3]) {
      await page.waitForSelector(`.lab-step[data-step="${step}"]`);
      if (await page.$('.lab-predict-opt:not([disabled])')) await page.click('.lab-predict-opt >> nth=1');
      const n = await page.locator(`.lab-step[data-step="${step}"] .lab-run`).count();
      for (let i = 0; i < n; i++) {
        await page.locator(`.lab-step[data-step="${step}"] .lab-run`).nth(i).click();
        await page.waitForTimeout(800);
      }
      await page.waitForSelector(`.lab-step-item.lab-passed[data-step="${step}"]`, { timeout: 15_000 });
      if (step < 3) await page.click('.lab-next');
    }
    // Item 5: lab complete names the next lab of the half-day path, and opens it.
    await page.waitForSelector('.lab-done .lab-next-lab');
    await page.mouse.move(700, 400);
    await page.waitForTimeout(300);
    expect(await page.textContent('.lab-done')).toMatch(/Next in “Half-day workshop: containers from the kernel up”:PID namespaces up close →/);
    await screenshot(page, 'flow-lab-complete-next');
    await page.click('.lab-next-lab');
    await page.click('.confirm-dialog .confirm-ok');
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await page.textContent('#lab-name')).toBe('Lab: PID namespaces up close');
    await page.close();
  });

  it('asks before deleting a used sandbox, in a dialog that says what is lost and works from the keyboard', async () => {
    const page = await openPage();
    const first = await sessionId(page);
    await typeIn(page, 'echo precious > /root/work; echo saved-$((3+4))');
    await waitForTerm(page, /^saved-7$/m);

    // Another lab: the dialog says what goes, Cancel has the focus, Escape keeps the sandbox.
    await page.click('.lab-card[data-lab="first-namespace"]');
    await page.waitForSelector('dialog.confirm-dialog[open]');
    expect(await page.textContent('.confirm-dialog')).toMatch(/Open another lab\?.*deleted with everything in it: files you made, processes still running/);
    expect(await page.evaluate(() => document.activeElement?.className)).toMatch(/confirm-cancel/);
    await screenshot(page, 'flow-confirm-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.confirm-dialog', { state: 'detached' });
    expect(await sessionId(page)).toBe(first);
    // New sandbox: Enter on the focused "Keep my sandbox" keeps it too.
    await page.click('#new-sandbox');
    await page.waitForSelector('dialog.confirm-dialog[open]');
    expect(await page.textContent('.confirm-dialog h2')).toBe('Start a new sandbox?');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.confirm-dialog', { state: 'detached' });
    await page.waitForTimeout(500);
    expect(await sessionId(page)).toBe(first);
    await typeIn(page, 'cat /root/work');
    await waitForTerm(page, /^precious$/m);
    // Tab to the delete button and press it: now the lab opens in a new sandbox.
    await page.click('.lab-card[data-lab="first-namespace"]');
    await page.waitForSelector('dialog.confirm-dialog[open]');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toMatch(/confirm-ok/);
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => window.__isoplay.session && window.__isoplay.session.id !== id, first);
    await page.waitForSelector('.lab-step[data-step="1"]');
    // All labs from a used lab sandbox asks as well, and says the lab progress is kept.
    await typeIn(page, 'true');
    await page.click('.lab-back');
    await page.waitForSelector('dialog.confirm-dialog[open]');
    expect(await page.textContent('.confirm-dialog')).toMatch(/Back to all labs\?.*Your progress in “Your first namespaces” is kept/);
    await page.click('.confirm-cancel');
    await page.close();
  });

  it('when the session ends, a card says why and restores the lab at the step reached (no silent fresh sandbox)', async () => {
    const page = await openPage();
    await page.click('.lab-card[data-lab="first-namespace"]');
    await page.waitForSelector('.lab-step[data-step="1"]');
    await typeIn(page, 'hostname my-box');
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="1"]', { timeout: 15_000 });
    const first = await sessionId(page);
    await typeIn(page, 'touch /root/lost; kill -TERM 1');
    await page.waitForSelector('.end-card', { timeout: 15_000 });
    expect(await page.textContent('.end-card')).toMatch(/Your sandbox has ended.*Why: the sandbox ended: its init \(PID 1\) exited\./);
    expect(await page.textContent('.end-card .end-restore')).toBe('Restore to step 2');
    expect(await page.textContent('.end-card .end-start-again')).toBe('Start again from step 1');
    expect(await page.evaluate(() => document.activeElement?.className)).toMatch(/end-restore/);
    // The kernel view behind the card is the ended sandbox's last state, and says so.
    await page.waitForSelector('#kernel-view[data-stale="true"]');
    expect(await page.getAttribute('#kernel-view', 'data-stale-why')).toBe('Not live: this sandbox has ended. What you see is its last state.');
    // Nothing new was started behind the learner's back.
    await page.waitForTimeout(1500);
    expect(await sessionId(page)).toBeUndefined();
    expect(srv.app.registry.get(first!)).toBeUndefined();
    expect(await page.$$eval('#lab-panel .lab-run', (els) => els.every((b) => (b as HTMLButtonElement).disabled))).toBe(true);
    await screenshot(page, 'flow-session-ended');
    await page.click('.end-restore');
    await page.waitForSelector('.end-card', { state: 'detached' });
    await page.waitForFunction(() => !!window.__isoplay.session);
    await page.waitForSelector('#kernel-view:not([data-stale])', { timeout: 15_000 });
    // Step 1 was replayed (hostname my-box); the mess did not come back; the panel is at step 2.
    await waitForTerm(page, /root@my-box/);
    await typeIn(page, 'ls /root/lost; hostname');
    await waitForTerm(page, /No such file or directory/);
    await page.waitForSelector('.lab-step[data-step="2"]');
    await page.close();
  });

  it('a lost connection dims the terminal under a countdown, refuses typing visibly, marks the kernel view stale, and comes back to the same shell', async () => {
    const page = await openPage();
    await typeIn(page, 'echo before=$$');
    const pid = /^before=(\d+)$/m.exec(await waitForTerm(page, /^before=\d+$/m))![1];
    await page.waitForSelector('.kv-ns');
    // Cut the network (no reconnect can succeed), and drop the open sockets from the server side.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    for (const c of srv.app.websocketServer.clients) c.terminate();
    await page.waitForSelector('.term[data-terminal="shell"] .term-overlay');
    await page.waitForFunction(() => /Reconnecting in \d+ s…|Reconnecting…/.test(document.querySelector('.term-overlay')?.textContent ?? ''));
    await page.waitForSelector('#kernel-view[data-stale="true"]');
    expect(await page.getAttribute('#kernel-view', 'data-stale-why')).toBe('Stale: not live while the connection is down');
    expect(await page.getAttribute('.term[data-terminal="shell"]', 'class')).toMatch(/term-offline/);
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo LEAKED-$((40+2))');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.term-overlay-refused:not([hidden])');
    expect(await page.textContent('.term-overlay-refused')).toMatch(/Not sent/);
    await page.waitForTimeout(2500);
    expect(await page.textContent('.term-overlay')).toMatch(/Reconnecting in \d+ s…/);
    await screenshot(page, 'flow-disconnected');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.waitForSelector('.term-overlay', { state: 'detached', timeout: 15_000 });
    await page.waitForSelector('#kernel-view:not([data-stale])', { timeout: 15_000 });
    await page.click('.term[data-terminal="shell"]');
    await page.keyboard.type('echo after=$$');
    await page.keyboard.press('Enter');
    await waitForTerm(page, new RegExp(`^after=${pid}$`, 'm'));
    expect(await termText(page)).not.toMatch(/LEAKED-42/);
    expect(await termText(page)).not.toMatch(/echo LEAKED/);
    await page.close();
  });

  it('an unknown page or lab gets a not-found page with a way back', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const res = await page.goto(`${srv.base}/labs/no-such-thing`);
    expect(res?.status()).toBe(404);
    await page.waitForSelector('.notfound');
    expect(await page.textContent('.notfound')).toMatch(/Not found.*There is no page at \/labs\/no-such-thing\./);
    expect(await page.evaluate(() => window.__isoplay.session)).toBeUndefined();
    expect(await page.isHidden('#new-sandbox')).toBe(true);
    await screenshot(page, 'flow-not-found');
    await page.goto(`${srv.base}/?lab=no-such-lab`);
    await page.waitForSelector('.notfound');
    expect(await page.textContent('.notfound')).toMatch(/There is no lab called “no-such-lab”\./);
    await page.click('.notfound-back');
    await waitForTerm(page, /root@sandbox/);
    await page.waitForSelector('.lab-card[data-lab="first-namespace"]');
    await page.close();
  });

  it('a full playground says so, counts down, retries by itself, and the lab text stays readable meanwhile', async () => {
    const full = await startServer({ maxSessions: 1 });
    try {
      const r = await fetch(`${full.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(201);
      const taken = (await r.json()) as { id: string; token: string };
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(`${full.base}/?lab=first-namespace`);
      await page.waitForSelector('#banner[data-waiting="capacity"]');
      expect(await page.textContent('#banner')).toMatch(/The playground is full: every sandbox is taken\. Retrying in \d+ s \(automatically\); you can read the lab meanwhile\./);
      await page.waitForSelector('.lab-preview .lab-step[data-step="1"] .lab-exec');
      expect(await page.textContent('.lab-preview')).toMatch(/Your first namespaces.*Step 1: Name your machine.*hostname my-box/s);
      const n1 = Number(/Retrying in (\d+) s/.exec((await page.textContent('#banner'))!)![1]);
      await page.waitForTimeout(2100);
      const n2 = Number(/Retrying in (\d+) s/.exec((await page.textContent('#banner'))!)![1]);
      expect(n2).toBeLessThan(n1);
      await screenshot(page, 'flow-capacity');
      // Room again: the page gets its sandbox by itself, in the lab it asked for.
      await fetch(`${full.base}/api/sessions/${taken.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${taken.token}` } });
      await waitForTerm(page, /root@sandbox/, 'shell', 20_000);
      await page.waitForSelector('.lab-view:not(.lab-preview) .lab-step[data-step="1"]');
      expect(await page.isHidden('#banner')).toBe(true);
      await page.close();
    } finally {
      await full.close();
    }
  });

  it('Reset step leaves the sandbox as the step text assumes, and exit in the top shell offers a new one', async () => {
    const page = await openPage();
    await page.click('.lab-card[data-lab="first-namespace"]');
    await page.waitForSelector('.lab-step[data-step="1"]');
    await typeIn(page, 'hostname my-box');
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="1"]', { timeout: 15_000 });
    await page.click('.lab-next');
    await typeIn(page, 'unshare --uts bash');
    await typeIn(page, 'hostname inner');
    await page.waitForSelector('.lab-step-item.lab-passed[data-step="2"]', { timeout: 15_000 });
    await page.click('.lab-next');
    await page.waitForSelector('.lab-step[data-step="3"]');
    const first = await sessionId(page);
    await page.click('.lab-step[data-step="3"] .lab-reset');
    await page.click('.confirm-dialog .confirm-ok');
    await page.waitForFunction((id) => window.__isoplay.session && window.__isoplay.session.id !== id, first);
    await waitForTerm(page, /root@my-box/);
    await page.waitForSelector('.lab-step[data-step="3"]');
    if (await page.$('.lab-predict-opt:not([disabled])')) await page.click('.lab-predict-opt >> nth=1');
    // The step's first command leaves a nested shell only when there is one: after the reset there is none.
    await page.locator('.lab-step[data-step="3"] .lab-run').first().click();
    await waitForTerm(page, /^No nested shell here: nothing to leave\.$/m);
    await typeIn(page, 'echo still=$((1+1))');
    await waitForTerm(page, /^still=2$/m);
    expect(await termText(page)).not.toMatch(/the shell exited/);
    await screenshot(page, 'flow-reset-step-3');
    // exit in the top shell: the terminal says so and Enter opens a new shell in the same sandbox.
    await typeIn(page, 'exit');
    await waitForTerm(page, /the shell exited with code 0 — press Enter for a new shell/);
    await screenshot(page, 'flow-top-shell-exit');
    await page.keyboard.press('Enter');
    await waitForTerm(page, /root@my-box:~# $/m);
    await typeIn(page, 'echo back=$((2+3))');
    await waitForTerm(page, /^back=5$/m);
    await page.close();
  });
});
