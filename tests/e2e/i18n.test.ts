// The page in the learner's language, in a real browser (Debian chromium) against a real server
// and sandbox: a Portuguese browser gets the page in Portuguese (top bar, lab list, lab panel, a
// failed check's message from the lab's translation), the picker switches to English and the
// choice outlives a reload, and a lab without a translation says once that it is in English.
import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, NO_CHROMIUM, screenshot, useBrowserServer, waitForTerm } from '../helpers/browser.js';
import { type TestServer } from '../helpers/server.js';

const skipReason = NO_CHROMIUM;
let srv: TestServer;
let browser: Browser;

useBrowserServer({ poolSize: 1, maxSessions: 8, detachGraceMs: 30_000 }, { refillPool: true }, (s, b) => {
  srv = s;
  browser = b;
});

/** A browser whose language is `locale` (navigator.language, Accept-Language), with a fresh profile. */
async function openIn(locale: string, url = '/'): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ locale, viewport: { width: 1400, height: 860 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(srv.base + url);
  await waitForTerm(page, /root@sandbox/);
  return { ctx, page };
}

const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? '').trim();

describe.skipIf(!CHROMIUM)(`the page in the learner's language${skipReason}`, () => {
  it('opens in Portuguese for a pt-BR browser, lab texts and check messages included; the picker switches to English, remembered', async () => {
    const { ctx, page } = await openIn('pt-BR');
    // The top bar, the footer, the lab list and the kernel view, in Portuguese; <html lang> says so.
    expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
    const picker = page.getByRole('combobox', { name: 'Idioma' });
    expect(await picker.inputValue()).toBe('pt-BR');
    expect(await text(page, '#new-sandbox')).toBe('Nova sandbox');
    expect(await text(page, '#present')).toBe('Modo apresentação');
    expect(await text(page, '#lab-name')).toBe('Sandbox livre');
    expect(await text(page, '#conn')).toBe('conectado');
    expect(await text(page, '#sr-mode')).toBe('Modo leitor de tela: desligado');
    expect(await page.getAttribute('#kernel-view', 'aria-label')).toBe('Visão do kernel');
    expect(await text(page, '.kv-title')).toBe('Visão do kernel');
    await page.waitForSelector('.lab-card[data-lab="microservices"]');
    expect(await text(page, '.lab-intro')).toMatch(/^Escolha um lab guiado/);
    // Translated labs come in Portuguese (?lang=pt-BR); the others are marked as English.
    expect(await text(page, '.lab-card[data-lab="microservices"] .lab-card-title')).toContain('Microsserviços em contêineres');
    expect(await page.$('.lab-card[data-lab="microservices"] .lab-lang-tag')).toBeNull();
    expect(await text(page, '.lab-card[data-lab="one-kernel"] .lab-lang-tag')).toBe('em inglês');
    expect(await text(page, '.lab-card[data-lab="one-kernel"] .lab-meta')).toMatch(/passos/);
    await screenshot(page, 'i18n-pt-list');

    // The lab in Portuguese: its title, step, buttons; a failed check says why in Portuguese.
    await page.click('.lab-card[data-lab="microservices"]');
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await text(page, '#lab-name')).toBe('Lab: Microsserviços em contêineres');
    expect(await text(page, '.lab-step-title')).toMatch(/^Passo 1: O serviço de catálogo em um contêiner$/);
    expect(await text(page, '.lab-check')).toBe('Verificar');
    expect(await text(page, '.lab-reset')).toBe('Refazer passo');
    expect(await text(page, '.lab-back')).toBe('← Todos os labs');
    expect(await text(page, '.lab-predict-q')).toMatch(/^Antes, preveja: O catálogo vai rodar/);
    expect(await page.$('.lab-untranslated')).toBeNull();
    await page.click('.lab-predict-opt >> nth=1');
    await page.waitForSelector('.lab-predict-explain');
    expect((await page.locator('.lab-run').first().textContent())?.trim()).toBe('▶ Executar');
    await page.click('.lab-check');
    await page.waitForSelector('.lab-result-failed');
    expect(await text(page, '.lab-result-failed')).toBe('Ainda não: Nenhum serviço de catálogo está rodando ainda.');
    await screenshot(page, 'i18n-pt-lab');
    const sessionId = await page.evaluate(() => window.__isoplay.session?.id);

    // The picker from the keyboard: English is the option above. The page reloads in English and
    // re-attaches to the same sandbox and lab.
    await picker.focus();
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('ArrowUp')]);
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.evaluate(() => window.__isoplay.session?.id)).toBe(sessionId);
    expect(await page.getByRole('combobox', { name: 'Language' }).inputValue()).toBe('en');
    expect(await text(page, '#new-sandbox')).toBe('New sandbox');
    expect(await text(page, '#lab-name')).toBe('Lab: Microservices in containers');
    expect(await text(page, '.lab-check')).toBe('Check');
    expect(await text(page, '.lab-step-title')).toBe('Step 1: The catalog service in a container');
    await page.click('.lab-check');
    await page.waitForSelector('.lab-result-failed');
    expect(await text(page, '.lab-result-failed')).toMatch(/^Not yet: No catalog service runs yet/);

    // Remembered: a reload stays in English although the browser's language is Portuguese.
    await page.reload();
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, '.lab-check')).toBe('Check');
    await screenshot(page, 'i18n-en-after-switch');
    await ctx.close();
  });

  it('says once, in Portuguese, that a lab without a translation is shown in English', async () => {
    const { ctx, page } = await openIn('pt-PT', '/?lab=one-kernel');
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
    expect(await page.locator('.lab-untranslated').count()).toBe(1);
    expect(await text(page, '.lab-untranslated')).toBe('Este lab ainda não foi traduzido: ele aparece em inglês.');
    // The page's own words stay Portuguese around the English lab text.
    expect(await text(page, '.lab-check')).toBe('Verificar');
    expect(await text(page, '.lab-step-title')).toMatch(/^Passo 1: /);
    await screenshot(page, 'i18n-pt-untranslated');
    // In English there is nothing to say.
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await page.waitForEvent('load');
    await page.waitForSelector('.lab-step[data-step="1"]');
    expect(await page.locator('.lab-untranslated').count()).toBe(0);
    await ctx.close();
  });

  it('shows the instructor page in Portuguese too', async () => {
    const ctx = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1200, height: 700 } });
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/instructor.html`);
    await page.waitForSelector('#ws-form');
    expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
    expect(await page.title()).toBe('Isolation Playground · Instrutor');
    expect(await text(page, '.ws-create h1')).toBe('Conduza um workshop');
    expect(await page.getAttribute('#ws-title', 'aria-label')).toBe('Título do workshop');
    expect(await page.getByRole('combobox', { name: 'Idioma' }).inputValue()).toBe('pt-BR');
    await screenshot(page, 'i18n-pt-instructor');
    await ctx.close();
  });
});
