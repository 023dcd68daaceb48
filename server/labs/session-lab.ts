// Lab progress of one session: which step is current, running checks (on demand and after each
// command the learner runs), replaying solves to rebuild a sandbox at the learner's step.
import type { Config } from '../config.js';
import { IsoplayError } from '../errors.js';
import type { ProgressStore } from '../db/progress.js';
import type { SessionInfo } from '../sessions/types.js';
import type { LabProgress, StepCheckResult } from '../protocol/api.js';

export type { LabProgress };
import { solveTimeoutMs, stepEnv, type Lab } from './catalog.js';
import { runCheck, runScript, type CheckOutcome } from './checker.js';

export function progressOf(store: ProgressStore, learner: string, lab: Lab): LabProgress {
  const passed = store.passed(learner, lab.id);
  const passedSet = new Set(passed.map((p) => p.step));
  let current = 0;
  while (current < lab.steps.length && passedSet.has(current)) current++;
  return { lab: lab.id, current, passed, predictions: store.predictions(learner, lab.id), done: current >= lab.steps.length };
}

export class SessionLab {
  private checking: Promise<CheckOutcome> | undefined;

  constructor(
    readonly session: SessionInfo,
    readonly lab: Lab,
    private readonly store: ProgressStore,
    private readonly config: Config,
  ) {}

  progress(): LabProgress {
    return progressOf(this.store, this.session.learner, this.lab);
  }

  /**
   * Runs setup.sh, then the solves of every step before `upTo` so the sandbox is where the learner
   * was; then the session's shells start afresh on the prepared sandbox.
   */
  async prepare(upTo: number): Promise<void> {
    const sb = this.session.sandbox;
    if (!sb) return;
    const steps = Math.min(upTo, this.lab.steps.length);
    if (this.lab.setupScript) await this.mustRun(this.lab.setupScript, 'setup.sh');
    for (let i = 0; i < steps; i++) {
      await this.mustRun(this.lab.steps[i].solveScript, `solve of step ${i + 1}`, solveTimeoutMs(this.lab.steps[i], this.config.checkTimeoutMs));
    }
    if (this.lab.setupScript || steps > 0) this.session.restartTerminals?.();
  }

  private async mustRun(script: string, what: string, timeoutMs = this.config.checkTimeoutMs * 3): Promise<void> {
    const r = await runScript(this.session.sandbox!, script, timeoutMs);
    if (r.exitCode !== 0) {
      throw new IsoplayError('ISOPLAY_ERR_CHECK_FAILED', { detail: `${this.lab.id}: ${what} exited ${r.exitCode ?? r.signal}: ${r.stderr.trim().slice(-300)}` });
    }
  }

  async cleanup(): Promise<void> {
    if (this.lab.cleanupScript && this.session.sandbox) await runScript(this.session.sandbox, this.lab.cleanupScript, this.config.checkTimeoutMs);
  }

  /** Checks step `step`; 409 if it is not reached yet. Publishes the result on the event bus. */
  async check(step: number, auto = false): Promise<StepCheckResult> {
    const before = this.progress();
    if (step < 0 || step >= this.lab.steps.length) throw new IsoplayError('ISOPLAY_ERR_BAD_REQUEST', { detail: `lab ${this.lab.id} has no step ${step + 1}` });
    if (step > before.current) throw new IsoplayError('ISOPLAY_ERR_STEP_NOT_REACHED', { step: step + 1, current: before.current + 1 });
    if (before.passed.some((p) => p.step === step)) {
      return { status: 'passed', message: before.passed.find((p) => p.step === step)!.message, step, progress: before };
    }
    if (!this.session.sandbox) return { status: 'error', message: 'checks need sandbox mode', step, progress: before };
    // One check at a time per session: an automatic check and a click share the result.
    this.checking ??= runCheck(this.session.sandbox, this.lab.steps[step].checkScript, this.config.checkTimeoutMs, stepEnv(this.lab, step), this.lab.steps[step].failures, this.lab.steps[step].checkKind === 'file' ? 'sandbox' : 'kernel').finally(
      () => (this.checking = undefined),
    );
    const outcome = await this.checking;
    const at = Date.now();
    if (outcome.status === 'passed') {
      this.store.markPassed(this.session.learner, this.lab.id, step, outcome.message);
      this.session.bus.publish({ type: 'event', at, kind: 'step-passed', lab: this.lab.id, step, message: outcome.message });
    } else if (outcome.status === 'failed' && outcome.reason && Object.hasOwn(this.lab.steps[step].failures, outcome.reason)) {
      // Only the reasons the lab declares are counted: the rows per learner and step stay bounded.
      this.store.recordFailure(this.session.learner, this.lab.id, step, outcome.reason);
    }
    if (outcome.status !== 'passed' && !auto) {
      if (outcome.status === 'failed') {
        this.session.bus.publish({ type: 'event', at, kind: 'step-failed', lab: this.lab.id, step, message: outcome.message, ...(outcome.reason ? { reason: outcome.reason } : {}) });
      } else {
        this.session.bus.publish({ type: 'event', at, kind: 'check-error', lab: this.lab.id, step, message: outcome.message });
      }
    }
    return { ...outcome, step, progress: this.progress() };
  }
}
