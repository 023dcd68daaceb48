// Follow and broadcast in a real browser: an instructor page and three learner pages (each in its
// own browser context, as on three laptops). The instructor follows a learner and sees what she
// types, takes her keyboard (her page says so) and gives it back, then broadcasts a demo terminal
// that shows on every learner page (hide, show, pop out).
import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeSerious, CHROMIUM, NO_CHROMIUM, screenshot, termText, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { TEST_INSTRUCTOR_KEY, type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ poolSize: 0, maxSessions: 12, detachGraceMs: 20_000 }, { refillPool: false }, (s, b) => {
  srv = s;
  browser = b;
});

async function type(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector);
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe.skipIf(!CHROMIUM)(`follow and broadcast in a browser${skipReason}`, () => {
  it('follows a learner, takes and gives back her keyboard, and broadcasts a demo to every learner page', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    teacher.on('pageerror', (e) => errors.push(`teacher: ${e.message}`));
    await teacher.goto(`${srv.base}/instructor`);
    await teacher.fill('#ws-title', 'Follow room');
    await teacher.fill('#ws-admin-key', TEST_INSTRUCTOR_KEY);
    await teacher.press('#ws-admin-key', 'Enter');
    await teacher.waitForFunction(() => /^[A-Z2-9]{6}$/.test(document.getElementById('ws-code')?.textContent ?? ''));
    const code = (await teacher.textContent('#ws-code'))!;

    const contexts: BrowserContext[] = [];
    const learners: Page[] = [];
    for (const name of ['Ada', 'Bea', 'Cal']) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
      await page.goto(`${srv.base}/?join=${code}`);
      await page.waitForSelector('#join-dialog[open]');
      await page.fill('#join-name', name);
      await page.keyboard.press('Enter');
      await waitForTerm(page, /root@sandbox/);
      learners.push(page);
    }
    const [ada] = learners;

    // Follow Ada: her terminal, read-only, and her kernel view in the instructor's page.
    const followBtn = '#ws-rows tr[data-name="Ada"] [data-follow]';
    await teacher.waitForSelector(followBtn, { timeout: 10_000 });
    await teacher.click(followBtn);
    // Pressed from the click on, not from the roster's next refresh (a few seconds later).
    expect(await teacher.getAttribute(followBtn, 'aria-pressed')).toBe('true');
    await teacher.waitForSelector('#ws-follow-term .xterm');
    await waitForTerm(teacher, /root@sandbox/, 'follow');
    await type(ada, '.term[data-terminal="shell"]', 'echo followed-$((6*7))');
    await waitForTerm(teacher, /^followed-42$/m, 'follow');
    await teacher.waitForSelector('#ws-follow-kv [data-kind="memory"], #ws-follow-kv .kv-gauge', { timeout: 15_000 });
    expect(await teacher.getAttribute(followBtn, 'aria-pressed')).toBe('true');
    // Read-only: keys typed into the followed terminal go nowhere.
    await type(teacher, '#ws-follow-term', 'echo from-teacher-ro');
    await teacher.waitForTimeout(600);
    expect(await termText(ada)).not.toContain('from-teacher-ro');
    await teacher.locator('#ws-follow').scrollIntoViewIfNeeded();
    await screenshot(teacher, 'follow-instructor');

    // Take the keyboard: Ada's page says the instructor is typing; the instructor's keys reach her shell, hers do not.
    await teacher.click('#ws-kb');
    await teacher.waitForFunction(() => document.getElementById('ws-kb')?.getAttribute('aria-pressed') === 'true');
    await ada.waitForSelector('#kb-notice:not([hidden])', { timeout: 10_000 });
    expect(await ada.textContent('#kb-notice')).toContain('The instructor is typing');
    expect(await ada.getAttribute('#kb-notice', 'aria-live')).toBe('assertive');
    await type(teacher, '#ws-follow-term', 'echo teacher-$((3+4))');
    await waitForTerm(ada, /^teacher-7$/m);
    await type(ada, '.term[data-terminal="shell"]', 'echo ada-blocked-$((1+1))');
    await teacher.waitForTimeout(800);
    expect(await termText(ada)).not.toMatch(/^ada-blocked-2$/m);
    await screenshot(ada, 'follow-learner-notice');

    // Give it back: the notice goes, Ada types again.
    await teacher.click('#ws-kb');
    await ada.waitForSelector('#kb-notice', { state: 'hidden', timeout: 10_000 });
    await type(ada, '.term[data-terminal="shell"]', 'echo ada-again-$((2*5))');
    await waitForTerm(ada, /^ada-again-10$/m);
    await waitForTerm(teacher, /^ada-again-10$/m, 'follow');

    // Broadcast: a demo sandbox in the instructor's page, shown on every learner page.
    await teacher.click('#ws-demo-btn');
    await waitForTerm(teacher, /root@sandbox/, 'demo');
    await teacher.waitForFunction(() => /Broadcasting to 3 learners/.test(document.getElementById('ws-demo-state')?.textContent ?? ''), undefined, { timeout: 10_000 });
    for (const l of learners) await l.waitForSelector('#bc-pane .bc-term .xterm', { timeout: 10_000 });
    await type(teacher, '#ws-demo-term', 'echo demo-$((11*11))');
    for (const l of learners) await waitForTerm(l, /^demo-121$/m, 'broadcast');
    expect(await axeSerious(teacher)).toEqual([]);
    expect(await axeSerious(learners[1])).toEqual([]);
    await screenshot(learners[1], 'broadcast-learner');
    await screenshot(teacher, 'broadcast-instructor');

    // The learner hides it (a button stays to bring it back) and pops it out into a window of its own.
    const bea = learners[1];
    await bea.click('#bc-hide');
    await bea.waitForSelector('#bc-show');
    expect(await bea.$('#bc-pane .bc-term')).toBeNull();
    expect(await bea.evaluate(() => document.activeElement?.id)).toBe('bc-show');
    await bea.keyboard.press('Enter');
    await waitForTerm(bea, /^demo-121$/m, 'broadcast');
    const [popup] = await Promise.all([bea.context().waitForEvent('page'), bea.click('#bc-pop')]);
    await popup.waitForLoadState();
    await waitForTerm(popup, /^demo-121$/m, 'broadcast');
    await type(teacher, '#ws-demo-term', 'echo popped-$((9*9))');
    await waitForTerm(popup, /^popped-81$/m, 'broadcast');
    // With the demo's kernel view beside it.
    await popup.waitForSelector('#bc-kv .kv-gauge', { timeout: 15_000 });
    expect(await axeSerious(popup)).toEqual([]);
    await screenshot(popup, 'broadcast-popout');

    // Stopped: the pane leaves every learner page.
    await teacher.click('#ws-demo-btn');
    for (const l of learners) await l.waitForSelector('#bc-pane', { state: 'detached', timeout: 10_000 });
    expect(errors).toEqual([]);
    for (const c of contexts) await c.close();
    await teacher.close();
  }, 180_000);
});
