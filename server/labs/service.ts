// The labs service: the catalog, each session's lab (setup, checks after every command, predictions,
// cleanup) and the learner's progress across labs. It hooks into the session lifecycle; the routes
// in http/labs.ts only map requests onto it.
import type { Config } from '../config.js';
import { IsoplayError } from '../errors.js';
import type { ProgressStore } from '../db/progress.js';
import type { LabDetail, LabPathView, LabSummary, StepCheckResult } from '../protocol/api.js';
import type { Logger, SessionInfo, SessionRegistry } from '../sessions/types.js';
import type { Lab, LabCatalog } from './catalog.js';
import { SessionLab, progressOf } from './session-lab.js';

/**
 * A lab as the page sees it, in `lang` where the lab has that translation (English for any field
 * it lacks): the prediction's answer stays on the server until the learner has predicted.
 */
export function publicLab(lab: Lab, lang?: string): LabDetail {
  const m = lab.manifest;
  const t = lang ? lab.translations.get(lang) : undefined;
  return {
    id: lab.id,
    title: t?.title ?? m.title,
    summary: t?.summary ?? m.summary,
    level: m.level,
    minutes: m.minutes,
    available: lab.available,
    reason: lab.reason,
    terminals: m.terminals,
    lang: t ? lang! : 'en',
    languages: ['en', ...lab.translations.keys()],
    steps: lab.steps.map((s, i) => {
      const ts = t?.steps[i];
      return {
        title: ts?.title ?? s.title,
        markdown: ts?.markdown ?? s.markdown,
        hints: ts?.hints ?? s.hints,
        terminal: s.terminal,
        predict: s.predict
          ? { question: ts?.predict?.question ?? s.predict.question, options: ts?.predict?.options ?? s.predict.options }
          : undefined,
        ...(s.variant ? { variant: s.variant } : {}),
      };
    }),
  };
}

export class LabService {
  private readonly labsOf = new Map<string, SessionLab>();

  constructor(
    readonly catalog: LabCatalog,
    readonly progress: ProgressStore,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** Registers the lab side of the session lifecycle: refuse unknown labs, prepare, auto-check, clean up. */
  attach(registry: SessionRegistry): void {
    registry.addHooks({
      beforeCreate: (opts) => {
        if (!opts.lab) return;
        const lab = this.lab(opts.lab);
        if (!lab.available) throw new IsoplayError('ISOPLAY_ERR_LAB_UNAVAILABLE', { id: lab.id, reason: lab.reason ?? '' });
        return {
          terminals: lab.manifest.terminals.map((t) => t.name),
          titles: Object.fromEntries(lab.manifest.terminals.filter((t) => t.title).map((t) => [t.name, t.title!])),
        };
      },
      onSessionStart: async (s, opts) => {
        if (!s.lab) return;
        const sl = new SessionLab(s, this.lab(s.lab), this.progress, this.config);
        this.labsOf.set(s.id, sl);
        const current = sl.progress().current;
        await sl.prepare(Math.min(opts.resetStep ?? current, current));
        s.onActivity(() => this.autoCheck(sl));
      },
      onSessionEnd: async (s) => {
        const sl = this.labsOf.get(s.id);
        this.labsOf.delete(s.id);
        await sl?.cleanup();
      },
    });
  }

  /** After each command: the current step is checked quietly (a pass is published, a fail is not). */
  private autoCheck(sl: SessionLab): void {
    const p = sl.progress();
    if (p.done) return;
    sl.check(p.current, true).catch((err) => {
      // ISOPLAY_ERR_BUSY: the sandbox already runs its share of server-side commands; the next
      // command checks again. Anything else is news.
      const level = (err as { code?: string }).code === 'ISOPLAY_ERR_BUSY' ? 'info' : 'warn';
      this.log[level]({ err, session: sl.session.id, lab: sl.lab.id, step: p.current + 1 }, 'automatic step check failed');
    });
  }

  lab(id: string): Lab {
    const lab = this.catalog.get(id);
    if (!lab) throw new IsoplayError('ISOPLAY_ERR_LAB_NOT_FOUND', { id });
    return lab;
  }

  detail(id: string, lang?: string): LabDetail {
    return publicLab(this.lab(id), lang);
  }

  list(lang?: string): LabSummary[] {
    return [...this.catalog.labs.values()].map((l) => {
      const { steps, ...rest } = publicLab(l, lang);
      return { ...rest, stepCount: steps.length };
    });
  }

  /** The suggested paths, with the minutes of the labs this host can run. */
  paths(): LabPathView[] {
    return this.catalog.paths.map((p) => ({
      ...p,
      minutes: p.labs.reduce((n, id) => {
        const lab = this.catalog.get(id)!;
        return n + (lab.available ? lab.manifest.minutes : 0);
      }, 0),
    }));
  }

  /** The lab a session runs, or 400 when it runs none. */
  of(session: SessionInfo): SessionLab {
    const sl = this.labsOf.get(session.id);
    if (!sl) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: 'this session runs no lab' });
    return sl;
  }

  /** Records a prediction for step `n` (1-based) and tells whether it was right. */
  predict(sl: SessionLab, n: number, choice: number, lang?: string): { correct: boolean; answer: number; explain: string | undefined } {
    const step = sl.lab.steps[n - 1];
    if (!step?.predict) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: `step ${n} asks no prediction` });
    const correct = choice === step.predict.answer;
    this.progress.savePrediction(sl.session.learner, sl.lab.id, n - 1, choice, correct);
    const explain = (lang ? sl.lab.translations.get(lang)?.steps[n - 1]?.predict?.explain : undefined) ?? step.predict.explain;
    return { correct, answer: step.predict.answer, explain };
  }

  /** A check's result in `lang`: a failure's reason has the same id in every language, its message the translation's. */
  translated(sl: SessionLab, result: StepCheckResult, lang?: string): StepCheckResult {
    if (!lang || result.status !== 'failed' || !result.reason) return result;
    const message = sl.lab.translations.get(lang)?.steps[result.step]?.failures?.[result.reason];
    return message ? { ...result, message } : result;
  }

  /** A learner's progress in every lab (the lab list shows it). */
  progressAcross(learner: string): Record<string, { current: number; done: boolean; steps: number }> {
    const out: Record<string, { current: number; done: boolean; steps: number }> = {};
    for (const lab of this.catalog.labs.values()) {
      const p = progressOf(this.progress, learner, lab);
      out[lab.id] = { current: p.current, done: p.done, steps: lab.steps.length };
    }
    return out;
  }

  /** Where a learner is in a lab: steps passed and the title of the first one not passed. */
  standing(learner: string, lab: Lab): { passed: number; current: string | undefined } {
    const p = progressOf(this.progress, learner, lab);
    return { passed: p.passed.length, current: p.done ? undefined : lab.steps[p.current]?.title };
  }
}
