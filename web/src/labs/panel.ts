// The lab panel: the lab list, then the chosen lab's steps with progress, markdown text whose
// `exec` blocks run in the named terminal and `copy` blocks copy, hints one at a time, a predict
// question answered before the commands are revealed, Check, and Reset.
import type { LabDetail, LabPathView, LabProgress, LabSummary, StepCheckResult } from '../../../server/protocol/api.js';
import type { PageContext } from '../context.js';
import { markFocus, restoreFocus } from '../a11y/focus.js';
import { announce } from '../a11y/live.js';
import { esc } from '../dom.js';
import { lang, t, withLang } from '../i18n/index.js';
import { renderStepMarkdown } from './step-markdown.js';
import { joinedWorkshop } from '../session/workshop.js';
import './lab-panel.css';

type Progress = LabProgress;
type CheckResult = StepCheckResult;
type Prediction = { correct: boolean; explain: string; answer: number; choice: number; fetching?: boolean };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function mountLabPanel(root: HTMLElement, ctx: PageContext): () => void {
  let disposed = false;
  let unsubscribe: (() => void) | undefined;
  root.replaceChildren(el('div', 'lab-loading', t('lab.loading')));

  async function showList(): Promise<void> {
    const [{ labs, paths }, progress] = await Promise.all([
      ctx.api<{ labs: LabSummary[]; paths: LabPathView[] }>('GET', withLang('/api/labs')),
      // The session's token authorizes it; the learner secret stays out of URLs and logs.
      ctx.api<Record<string, { current: number; done: boolean; steps: number }>>('GET', `/api/sessions/${ctx.session.id}/progress`).catch(() => ({}) as Record<string, never>),
    ]);
    if (disposed) return;
    const wrap = el('div', 'lab-list');
    wrap.append(el('h2', 'lab-h', t('lab.list.h')), el('p', 'lab-intro', t('lab.list.intro')));
    // The first suggested path (a half-day workshop): its total time, and each of its labs numbered.
    const path = paths[0];
    if (path) {
      const h = Math.floor(path.minutes / 60);
      const box = el('div', 'lab-path');
      const time = h ? t('lab.hoursMinutes', { h, m: path.minutes % 60 }) : t('lab.minutes', { n: path.minutes });
      box.innerHTML = `<b>${esc(path.title)}</b><br>${esc(t('lab.path', { n: path.labs.length, time }))}`;
      wrap.append(box);
    }
    for (const lab of labs) {
      const card = el('button', `lab-card${lab.available ? '' : ' lab-unavailable'}`);
      card.dataset.lab = lab.id;
      const p = (progress as Record<string, { current: number; done: boolean; steps: number }>)[lab.id];
      const n = path ? path.labs.indexOf(lab.id) + 1 : 0;
      card.innerHTML = `<div class="lab-card-title">${n ? `<span class="lab-path-n" title="${esc(path!.title)}">${n}</span>` : ''}${esc(lab.title)}</div>
        <div class="lab-meta"><span class="lab-level lab-level-${esc(lab.level)}">${esc(t(`lab.level.${lab.level}`))}</span> · ${esc(t('lab.minutes', { n: lab.minutes }))} · ${esc(t('lab.steps', { n: lab.stepCount }))}${p?.current ? ` · <b>${esc(p.done ? t('lab.done') : t('lab.atStep', { n: p.current + 1 }))}</b>` : ''}${lab.lang === lang() ? '' : ` · <span class="lab-lang-tag" lang="en">${esc(t('lang.untranslatedTag'))}</span>`}</div>
        <div class="lab-summary"${lab.lang === lang() ? '' : ' lang="en"'}>${esc(lab.summary)}</div>${lab.available ? '' : `<div class="lab-reason">${esc(t('lab.unavailable', { reason: lab.reason ?? '' }))}</div>`}`;
      card.disabled = !lab.available;
      card.onclick = () => void ctx.startSession({ lab: lab.id });
      wrap.append(card);
    }
    root.replaceChildren(wrap);
  }

  async function showLab(id: string): Promise<void> {
    const [lab, progress0, catalog] = await Promise.all([
      ctx.api<LabDetail>('GET', withLang(`/api/labs/${id}`)),
      ctx.api<Progress>('GET', `/api/sessions/${ctx.session.id}/lab`),
      ctx.api<{ labs: LabSummary[]; paths: LabPathView[] }>('GET', withLang('/api/labs')).catch(() => ({ labs: [], paths: [] })),
    ]);
    if (disposed) return;
    const header = document.getElementById('lab-name');
    if (header) header.textContent = t('top.lab', { title: lab.title });
    let progress = progress0;
    let viewing = Math.min(ctx.startStep ?? progress.current, progress.current, lab.steps.length - 1);
    const hintsShown = new Map<number, number>();
    const predicted = new Map<number, Prediction>();
    for (const [k, v] of Object.entries(progress.predictions)) predicted.set(Number(k), { correct: v.correct, explain: '', answer: v.correct ? v.choice : -1, choice: v.choice });
    // After a reload only the choice is known: the same answer again brings back the right one and why.
    const explainAgain = (i: number, p: Prediction) => {
      if (p.explain || p.fetching) return;
      p.fetching = true;
      void ctx
        .api<Omit<Prediction, 'choice'>>('POST', withLang(`/api/sessions/${ctx.session.id}/lab/steps/${i + 1}/predict`), { choice: p.choice })
        .then((r) => {
          predicted.set(i, { ...r, explain: r.explain ?? '', choice: p.choice });
          if (viewing === i) renderSoon();
        })
        .catch(() => undefined);
    };
    let lastResult: { step: number; status: string; message: string } | undefined;
    let announced: typeof lastResult;

    const render = () => {
      const focusMark = markFocus(root);
      ctx.reportLab?.({ title: lab.title, current: progress.current, steps: lab.steps.length });
      const passed = new Set(progress.passed.map((p) => p.step));
      const wrap = el('div', 'lab-view');
      const head = el('div', 'lab-head');
      const back = el('button', 'lab-back', t('lab.back'));
      back.onclick = () => void ctx.startSession({});
      head.append(back, el('h2', 'lab-h', lab.title));
      const pct = Math.round((passed.size / lab.steps.length) * 100);
      const bar = el('div', 'lab-progress');
      bar.innerHTML = `<div class="lab-progress-fill" style="width:${pct}%"></div><span>${esc(t('lab.progress', { done: passed.size, total: lab.steps.length }))}</span>`;
      const steps = el('ol', 'lab-steps');
      lab.steps.forEach((s, i) => {
        const li = el('li', `lab-step-item${passed.has(i) ? ' lab-passed' : ''}${i === viewing ? ' lab-current' : ''}${i > progress.current ? ' lab-locked' : ''}`);
        li.dataset.step = String(i + 1);
        li.innerHTML = `<span class="lab-dot">${passed.has(i) ? '✓' : i + 1}</span> ${esc(s.title)}`;
        if (i <= progress.current) {
          li.onclick = () => { viewing = i; render(); };
          // A step the learner may open is a button (keyboard, screen reader); a locked one is text.
          li.innerHTML = `<button type="button" class="lab-step-open">${li.innerHTML}${passed.has(i) ? `<span class="sr-only"> ${esc(t('lab.passedSr'))}</span>` : ''}</button>`;
        }
        if (i === viewing) li.setAttribute('aria-current', 'step');
        steps.append(li);
      });
      wrap.append(head);
      // A lab not translated into the learner's language comes in English: said once, above its steps.
      if (lab.lang !== lang()) wrap.append(el('p', 'lab-note lab-untranslated', t('lang.untranslated')));
      wrap.append(bar, steps);

      const step = lab.steps[viewing];
      const body = el('article', 'lab-step');
      body.dataset.step = String(viewing + 1);
      body.append(el('h3', 'lab-step-title', t('lab.stepTitle', { n: viewing + 1, title: step.title })));
      const needsPredict = step.predict && !predicted.has(viewing) && !passed.has(viewing);
      if (step.predict) {
        const q = el('div', 'lab-predict');
        q.append(el('div', 'lab-predict-q', t('lab.predict.q', { question: step.predict.question })));
        const got = predicted.get(viewing);
        if (got) explainAgain(viewing, got);
        step.predict.options.forEach((opt, oi) => {
          const b = el('button', 'lab-predict-opt');
          b.dataset.option = String(oi);
          b.disabled = !!got;
          // Marked in words as well as colour: the learner's wrong answer, and the right one.
          let mark = '';
          if (got && got.answer === oi) {
            b.classList.add('lab-right');
            mark = t(got.choice === oi ? 'lab.predict.yoursRight' : 'lab.predict.right');
          } else if (got && got.choice === oi) {
            b.classList.add('lab-wrong');
            mark = t('lab.predict.yours');
          }
          b.append(el('span', 'lab-predict-text', opt));
          if (mark) b.append(el('span', 'lab-predict-mark', mark));
          b.onclick = async () => {
            const at = viewing;
            const r = await ctx.api<Omit<Prediction, 'choice'>>('POST', withLang(`/api/sessions/${ctx.session.id}/lab/steps/${at + 1}/predict`), { choice: oi });
            predicted.set(at, { ...r, explain: r.explain ?? '', choice: oi });
            render();
          };
          q.append(b);
        });
        if (got) {
          const verdict = t(got.correct ? 'lab.predict.correct' : 'lab.predict.wrong');
          q.append(el('div', `lab-predict-explain ${got.correct ? 'lab-ok' : 'lab-miss'}`, `${verdict} ${got.explain}`.trim()));
        }
        body.append(q);
      }
      const text = el('div', 'lab-md');
      text.innerHTML = renderStepMarkdown(step.markdown, step.terminal);
      // English lab text in a page of another language: a screen reader reads it as English.
      if (lab.lang !== lang()) for (const e of [steps, text]) e.lang = lab.lang;
      if (needsPredict) {
        text.classList.add('lab-hidden-until-predict');
        // Blurred commands are out of reach until the answer: no tab stop, nothing read out.
        text.querySelectorAll<HTMLElement>('.lab-block').forEach((b) => (b.inert = true));
      }
      body.append(text);
      if (needsPredict) body.append(el('div', 'lab-note', t('lab.predict.note')));

      const hints = el('div', 'lab-hints');
      const shown = hintsShown.get(viewing) ?? 0;
      step.hints.slice(0, shown).forEach((h, hi) => hints.append(el('div', 'lab-hint', t('lab.hint', { n: hi + 1, text: h }))));
      if (shown < step.hints.length) {
        const hb = el('button', 'btn lab-hint-btn', t(shown ? 'lab.hint.another' : 'lab.hint.show'));
        hb.onclick = () => { hintsShown.set(viewing, shown + 1); render(); };
        hints.append(hb);
      }
      body.append(hints);

      const actions = el('div', 'lab-actions');
      const check = el('button', 'btn btn-primary lab-check', t(passed.has(viewing) ? 'lab.passed' : 'lab.check'));
      check.disabled = passed.has(viewing);
      check.onclick = async () => {
        check.disabled = true;
        check.textContent = t('lab.checking');
        try {
          const r = await ctx.api<CheckResult>('POST', withLang(`/api/sessions/${ctx.session.id}/lab/steps/${viewing + 1}/check`));
          progress = r.progress;
          lastResult = { step: viewing, status: r.status, message: r.message };
        } catch (e) {
          lastResult = { step: viewing, status: 'error', message: (e as Error).message };
        }
        render();
      };
      const reset = el('button', 'btn lab-reset', t('lab.reset'));
      reset.title = t('lab.reset.title');
      reset.onclick = () => void ctx.startSession({ lab: id, resetStep: viewing });
      actions.append(check, reset);
      if (passed.has(viewing) && viewing + 1 < lab.steps.length) {
        const next = el('button', 'btn btn-primary lab-next', t('lab.next'));
        next.onclick = () => { viewing++; render(); };
        actions.append(next);
      }
      body.append(actions);
      if (lastResult && lastResult.step === viewing) {
        const { status, message } = lastResult;
        const text = status === 'passed' ? `✓ ${message}` : t(status === 'failed' ? 'lab.result.failed' : 'lab.result.error', { message });
        const result = el('div', `lab-result lab-result-${status}`, text);
        result.setAttribute('role', 'status');
        body.append(result);
        if (announced !== lastResult) announce(result.textContent!);
        announced = lastResult;
      }
      if (progress.done) body.append(doneCard());
      wrap.append(body);
      root.replaceChildren(wrap);
      // A keyboard user stays where they were; what replaced a disabled button comes next.
      restoreFocus(root, focusMark, ['.lab-next', '.lab-predict-explain', '.lab-result', '.lab-step-title']);
      pending = false;
    };

    // Lab complete: what comes next in the suggested path (labs/paths.yaml) this lab is in.
    const doneCard = () => {
      const box = el('div', 'lab-result lab-result-passed lab-done');
      box.append(el('div', undefined, t('lab.complete')));
      // The workshop's own path first (its instructor's order), then the catalogue's suggested ones.
      const ws = joinedWorkshop();
      const path = ws?.path?.includes(id) ? { title: ws.title, labs: ws.path } : catalog.paths.find((p) => p.labs.includes(id));
      const runnable = (l: string) => catalog.labs.find((x) => x.id === l && x.available);
      const next = path?.labs.slice(path.labs.indexOf(id) + 1).map(runnable).find(Boolean);
      if (path && next) {
        box.append(el('div', 'lab-next-lab-why', t('lab.nextIn', { path: path.title })));
        const b = el('button', 'btn btn-primary lab-next-lab', `${next.title} →`);
        b.dataset.lab = next.id;
        b.onclick = () => void ctx.startSession({ lab: next.id });
        box.append(b);
      } else {
        box.append(el('div', 'lab-next-lab-why', path ? t('lab.lastOf', { path: path.title }) : t('lab.pickAnother')));
        const b = el('button', 'btn lab-next-lab', t('lab.allLabs'));
        b.onclick = () => void ctx.startSession({});
        box.append(b);
      }
      return box;
    };

    // A re-render the learner did not ask for (a check passed in the background, an explanation
    // arrived) waits while the pointer is over the panel: nothing moves under it.
    let pending = false;
    const renderSoon = () => {
      if (root.matches(':hover')) pending = true;
      else render();
    };
    // The ✓ message is scrolled into view the same way: at once, or when the pointer leaves.
    let reveal = false;
    const revealNow = () => (root.querySelector('.lab-done') ?? root.querySelector('.lab-step .lab-result'))?.scrollIntoView({ block: 'nearest' });
    const revealSoon = () => {
      if (root.matches(':hover')) reveal = true;
      else revealNow();
    };
    root.onpointerleave = () => {
      if (pending) render();
      if (reveal) revealNow();
      reveal = false;
    };

    // A step passed by an automatic check: marked in place (its dot, the progress bar, its Check
    // button, the ✓ message and "Next step →" added below the buttons), so no button moves.
    const markPassed = (step: number, message: string) => {
      ctx.reportLab?.({ title: lab.title, current: progress.current, steps: lab.steps.length });
      const passed = new Set(progress.passed.map((p) => p.step));
      const pct = Math.round((passed.size / lab.steps.length) * 100);
      const fill = root.querySelector<HTMLElement>('.lab-progress-fill');
      if (fill) fill.style.width = `${pct}%`;
      const count = root.querySelector('.lab-progress span');
      if (count) count.textContent = t('lab.progress', { done: passed.size, total: lab.steps.length });
      root.querySelectorAll<HTMLElement>('.lab-step-item').forEach((li, i) => {
        if (passed.has(i) && !li.classList.contains('lab-passed')) {
          li.classList.add('lab-passed');
          li.querySelector('.lab-dot')!.textContent = '✓';
          li.querySelector('.lab-step-open')?.insertAdjacentHTML('beforeend', `<span class="sr-only"> ${esc(t('lab.passedSr'))}</span>`);
        }
        if (i <= progress.current && li.classList.contains('lab-locked')) {
          li.classList.remove('lab-locked');
          li.onclick = () => { viewing = i; render(); };
          // Now a step the learner may open: a button, as render() makes it.
          li.innerHTML = `<button type="button" class="lab-step-open">${li.innerHTML}</button>`;
        }
      });
      const body = root.querySelector<HTMLElement>(`.lab-step[data-step="${step + 1}"]`);
      if (!body) return;
      // Passed without a prediction: the commands are shown (unblurred in place, nothing moves).
      const hidden = body.querySelector('.lab-hidden-until-predict');
      hidden?.classList.remove('lab-hidden-until-predict');
      hidden?.querySelectorAll<HTMLElement>('.lab-block').forEach((b) => (b.inert = false));
      const note = body.querySelector('.lab-note');
      if (note) note.textContent = t('lab.predict.passedNote');
      const check = body.querySelector<HTMLButtonElement>('.lab-check');
      if (check) {
        check.disabled = true;
        check.textContent = t('lab.passed');
      }
      const actions = body.querySelector('.lab-actions');
      if (actions && !actions.querySelector('.lab-next') && step + 1 < lab.steps.length) {
        const next = el('button', 'btn btn-primary lab-next', t('lab.next'));
        next.onclick = () => { viewing = step + 1; render(); };
        actions.append(next);
      }
      body.querySelector('.lab-result:not(.lab-done)')?.remove();
      const result = el('div', 'lab-result lab-result-passed', `✓ ${message}`);
      result.setAttribute('role', 'status');
      announce(result.textContent!);
      const done = body.querySelector('.lab-done');
      if (done) done.before(result);
      else body.append(result);
      if (progress.done && !done) body.append(doneCard());
      revealSoon();
    };

    root.onclick = (ev) => {
      const target = ev.target as HTMLElement;
      if (target.classList.contains('lab-run')) {
        ctx.runInTerminal(target.dataset.terminal!, target.dataset.code!);
        // From the keyboard (a click with no pointer), focus stays on Run: the next command is a Tab away.
        if ((ev as MouseEvent).detail === 0) target.focus();
      }
      if (target.classList.contains('lab-copybtn')) {
        void navigator.clipboard?.writeText(target.dataset.code!).catch(() => undefined);
        target.textContent = t('md.copied');
        setTimeout(() => (target.textContent = t('md.copy')), 1200);
      }
    };
    unsubscribe = ctx.onEvent((m) => {
      if (m.type === 'event' && m.kind === 'step-passed' && m.lab === id) {
        void ctx.api<Progress>('GET', `/api/sessions/${ctx.session.id}/lab`).then((p) => {
          if (disposed) return;
          progress = p;
          lastResult = { step: m.step, status: 'passed', message: m.message };
          // No jump to the next step: the passed step's ✓ and its payoff stay where the learner is
          // reading, and "Next step →" moves on (a jump also moved Run buttons under the pointer).
          markPassed(m.step, m.message);
        });
      }
    });
    render();
  }

  const run = ctx.session.lab ? showLab(ctx.session.lab) : showList();
  run.catch((e) => root.replaceChildren(el('div', 'lab-error', t('lab.loadFailed', { error: (e as Error).message }))));
  return () => {
    disposed = true;
    unsubscribe?.();
    root.onclick = null;
    root.onpointerleave = null;
  };
}

/**
 * A lab shown read-only while no sandbox can start (the playground is full): its title and its
 * first step's text, with the commands visible but not runnable. Returns its cleanup.
 */
export function mountLabPreview(root: HTMLElement, id: string, get: <T>(path: string) => Promise<T>): () => void {
  let disposed = false;
  void get<LabDetail>(withLang(`/api/labs/${id}`))
    .then((lab) => {
      if (disposed) return;
      const header = document.getElementById('lab-name');
      if (header) header.textContent = t('top.lab', { title: lab.title });
      const wrap = el('div', 'lab-view lab-preview');
      wrap.append(el('h2', 'lab-h', lab.title), el('div', 'lab-note', t('lab.preview.note')));
      const steps = el('ol', 'lab-steps');
      lab.steps.forEach((s, i) => {
        const li = el('li', `lab-step-item${i ? ' lab-locked' : ' lab-current'}`);
        li.innerHTML = `<span class="lab-dot">${i + 1}</span> ${esc(s.title)}`;
        steps.append(li);
      });
      const step = lab.steps[0];
      const body = el('article', 'lab-step');
      body.dataset.step = '1';
      body.append(el('h3', 'lab-step-title', t('lab.stepTitle', { n: 1, title: step.title })));
      const text = el('div', 'lab-md');
      text.innerHTML = renderStepMarkdown(step.markdown, step.terminal);
      text.querySelectorAll<HTMLButtonElement>('.lab-run').forEach((b) => (b.disabled = true));
      body.append(text);
      wrap.append(steps, body);
      root.replaceChildren(wrap);
    })
    .catch(() => undefined);
  return () => {
    disposed = true;
  };
}
