// `isoplay lab test [--require N | --require-all] [id...]`: every lab in a fresh sandbox; for each
// step the check must FAIL before its solve and PASS after. Authors get a report naming the step and
// the reason. A lab this host cannot run (it needs cgroup v1, KVM, the VM image...) is SKIPPED with
// that reason, never counted as passed; --require says how many labs must really have run.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../config.js';
import { createCgroupDriver } from '../sandbox/cgroups/index.js';
import { claimFor, createSandboxFactory } from '../sandbox/index.js';
import { removeEmptyParents } from '../sandbox/reaper.js';
import { loadCatalog, solveTimeoutMs, stepEnv, vmUnavailable, type Lab } from './catalog.js';
import { runCheck, runScript } from './checker.js';

export interface StepReport {
  step: number;
  title: string;
  ok: boolean;
  detail: string;
  /** A passed step's time: the check before its solve, the solve, the check after (with its retries). */
  ms?: { before: number; solve: number; after: number };
}

/** passed: it ran and every step passed; failed: it ran and a step (or its setup) failed; skipped: it did not run here. */
export type LabStatus = 'passed' | 'failed' | 'skipped';

export interface LabReport {
  lab: string;
  status: LabStatus;
  /** Why it did not run on this host (status skipped). */
  skipped?: string;
  steps: StepReport[];
  /** Wall time of the lab's whole self-test, its sandbox included. */
  ms?: number;
}

export async function runLabTests(ids: string[], config: Config, jobs = 1, onReport?: (r: LabReport) => void): Promise<LabReport[]> {
  const driver = await createCgroupDriver(config);
  // An ephemeral instance of its own: a server on the same data directory keeps its own sandboxes.
  const factory = createSandboxFactory(config, driver, claimFor(config, { key: `lab-test:${process.pid}` }));
  const catalog = await loadCatalog(config.labsDir, { cgroupMode: driver.mode, vmMissing: vmUnavailable(undefined, config.vmLabs) });
  const labs: Lab[] = ids.length ? ids.map((id) => {
    const l = catalog.get(id);
    if (!l) throw new Error(`no lab named ${id} in ${config.labsDir}`);
    return l;
  }) : [...catalog.labs.values()];
  // Each lab in a fresh sandbox of its own, `jobs` labs at a time; the reports keep the labs' order.
  const reports: LabReport[] = new Array(labs.length);
  let next = 0;
  const worker = async () => {
    while (next < labs.length) {
      const i = next++;
      const t0 = performance.now();
      reports[i] = await testLab(labs[i], factory, config);
      if (reports[i].status !== 'skipped') reports[i].ms = Math.round(performance.now() - t0);
      onReport?.(reports[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, labs.length)) }, worker));
  factory.instance.release();
  // Leave nothing behind, not even the empty `isoplay` parents (rmdir refuses them if not empty).
  await removeEmptyParents(driver, config.prefix);
  return reports;
}

const AFTER_SOLVE_TRIES = 5;
const AFTER_SOLVE_RETRY_MS = 2000;

/** One lab's self-test in a fresh sandbox: each step's check must fail (with a declared reason), its solve succeed, its check pass. */
async function testLab(lab: Lab, factory: ReturnType<typeof createSandboxFactory>, config: Config): Promise<LabReport> {
  if (!lab.available) return { lab: lab.id, status: 'skipped', skipped: lab.reason ?? 'unavailable on this host', steps: [] };
  // Random, not time-based: labs tested side by side start in the same millisecond.
  const id = `lt${randomBytes(8).toString('hex').slice(0, 9)}`;
  const sandbox = await factory.create(factory.specFor(id));
  const steps: StepReport[] = [];
  try {
    if (lab.setupScript) {
      const r = await runScript(sandbox, lab.setupScript, config.checkTimeoutMs);
      if (r.exitCode !== 0) throw new Error(`setup.sh exited ${r.exitCode}: ${r.stderr.trim()}`);
    }
    for (const [i, step] of lab.steps.entries()) {
      // A check's own HTTP timeouts (curl -m) grow with its limit on a slow host (the emulated v2 VM:
      // 180 s gives 30 s); on a normal host they stay the 5 s a learner's check uses.
      const env = { ...stepEnv(lab, i), ISOPLAY_HTTP_TIMEOUT: String(Math.max(5, Math.round(config.checkTimeoutMs / 6000))) };
      const t0 = performance.now();
      const before = await runCheck(sandbox, step.checkScript, config.checkTimeoutMs, env, step.failures, step.checkKind === 'file' ? 'sandbox' : 'kernel');
      if (before.status !== 'failed') {
        steps.push({ step: i + 1, title: step.title, ok: false, detail: `before its solve the check should fail (exit 1), but it ${before.status === 'passed' ? 'passed' : `errored: ${before.message}`}` });
        break;
      }
      // A failure names a stable reason the lab declares, so a room's failures can be counted.
      if (!before.reason || !(before.reason in step.failures)) {
        const declared = Object.keys(step.failures).join(', ') || 'none';
        steps.push({ step: i + 1, title: step.title, ok: false, detail: `before its solve the check failed with reason ${before.reason ? `"${before.reason}"` : '(none: use `fail <reason-id> message`)'}, expected one declared in its failures (${declared})` });
        break;
      }
      const t1 = performance.now();
      const solve = await runScript(sandbox, step.solveScript, solveTimeoutMs(step, config.checkTimeoutMs), env);
      if (solve.exitCode !== 0) {
        steps.push({ step: i + 1, title: step.title, ok: false, detail: `the solve script exited ${solve.exitCode ?? solve.signal}${solve.timedOut ? ' (timed out: does it leave a background process holding stdout? redirect it to /dev/null)' : ''}: ${solve.stderr.trim().slice(-300)}` });
        break;
      }
      // A solve may leave a process starting in the background (a container, a server), as a learner's
      // command does; like a learner clicking Check again, the check gets a few tries over a few seconds.
      const t2 = performance.now();
      let after = await runCheck(sandbox, step.checkScript, config.checkTimeoutMs, env, step.failures, step.checkKind === 'file' ? 'sandbox' : 'kernel');
      for (let tries = 1; after.status === 'failed' && tries < AFTER_SOLVE_TRIES; tries++) {
        await new Promise((r) => setTimeout(r, AFTER_SOLVE_RETRY_MS));
        after = await runCheck(sandbox, step.checkScript, config.checkTimeoutMs, env, step.failures, step.checkKind === 'file' ? 'sandbox' : 'kernel');
      }
      if (after.status !== 'passed') {
        steps.push({ step: i + 1, title: step.title, ok: false, detail: `after its solve the check should pass, but it ${after.status}: ${after.message}` });
        break;
      }
      const ms = (a: number, b: number) => Math.round(b - a);
      steps.push({ step: i + 1, title: step.title, ok: true, detail: after.message, ms: { before: ms(t0, t1), solve: ms(t1, t2), after: ms(t2, performance.now()) } });
    }
    if (lab.cleanupScript) await runScript(sandbox, lab.cleanupScript, config.checkTimeoutMs);
  } catch (e) {
    steps.push({ step: 0, title: 'setup', ok: false, detail: (e as Error).message });
  } finally {
    await sandbox.destroy();
  }
  return { lab: lab.id, status: steps.length === lab.steps.length && steps.every((s) => s.ok) ? 'passed' : 'failed', steps };
}

export function formatReports(reports: LabReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    if (r.status === 'skipped') {
      lines.push(`SKIP  ${r.lab}: ${r.skipped}`);
      continue;
    }
    lines.push(`${r.status === 'passed' ? 'PASS' : 'FAIL'}  ${r.lab}${r.ms !== undefined ? ` (${(r.ms / 1000).toFixed(1)} s)` : ''}`);
    const secs = (n: number) => (n / 1000).toFixed(1);
    for (const s of r.steps) {
      const took = s.ms ? ` (check ${secs(s.ms.before)} + solve ${secs(s.ms.solve)} + check ${secs(s.ms.after)} s)` : '';
      lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} step ${s.step} ${s.title}${took}: ${s.detail.split('\n')[0]}`);
    }
  }
  return lines.join('\n');
}

/** How many labs must really have run: a number, or every lab selected. */
export type LabRequirement = number | 'all';

export interface LabTestArgs {
  ids: string[];
  /** The server's own flags (--labs-dir, --check-timeout-ms...), for loadConfig. */
  configArgv: string[];
  require: LabRequirement;
  /** Labs tested side by side, each in its own sandbox (--jobs N, default 1). */
  jobs: number;
}

/** Exit codes of `isoplay lab test` (2 is the CLI's usage error). */
export const LabTestExit = { ok: 0, failed: 1, usage: 2, tooFewRan: 3 } as const;

/**
 * Splits `lab test`'s argv: --require N (or --require=N), --require-all, the server's flags (each
 * takes a value: --flag V or --flag=V) and lab ids. Without --require, at least one lab must run.
 */
export function parseLabTestArgs(argv: readonly string[]): LabTestArgs {
  const out: LabTestArgs = { ids: [], configArgv: [], require: 1, jobs: 1 };
  const jobs = (raw: string | undefined): number => {
    if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 16) throw new Error(`--jobs needs a whole number from 1 to 16 (found ${raw === undefined ? 'nothing' : `"${raw}"`})`);
    return Number(raw);
  };
  const count = (raw: string | undefined): number => {
    if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--require needs a whole number of labs, at least 1 (found ${raw === undefined ? 'nothing' : `"${raw}"`})`);
    return Number(raw);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--require-all') out.require = 'all';
    else if (a === '--require') out.require = count(argv[++i]);
    else if (a.startsWith('--require=')) out.require = count(a.slice('--require='.length));
    else if (a === '--jobs') out.jobs = jobs(argv[++i]);
    else if (a.startsWith('--jobs=')) out.jobs = jobs(a.slice('--jobs='.length));
    else if (a.startsWith('--')) {
      out.configArgv.push(a);
      if (!a.includes('=') && i + 1 < argv.length) out.configArgv.push(argv[++i]);
    } else out.ids.push(a);
  }
  return out;
}

export interface LabTestSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** How many labs had to run (--require; every selected one for --require-all). */
  required: number;
  /** The summary lines printed after the reports. */
  text: string;
  exitCode: number;
}

/**
 * Counts and judges a run: exit 1 if any lab failed; else 3 if fewer labs ran than required (a
 * skipped lab is never a pass, so skips alone can fail the run); else 0.
 */
export function summarizeLabTests(reports: readonly LabReport[], require: LabRequirement): LabTestSummary {
  const n = (st: LabStatus) => reports.filter((r) => r.status === st).length;
  const passed = n('passed');
  const failed = n('failed');
  const skipped = n('skipped');
  const required = require === 'all' ? reports.length : require;
  const ran = passed + failed;
  const lines = [`lab test: ${passed} passed, ${failed} failed, ${skipped} skipped`];
  if (failed) lines.push(`lab test: FAILED: ${reports.filter((r) => r.status === 'failed').map((r) => r.lab).join(', ')}`);
  const tooFew = ran < required || reports.length === 0;
  if (tooFew) {
    const why = reports.filter((r) => r.status === 'skipped').map((r) => `${r.lab} (${r.skipped})`);
    lines.push(
      `lab test: only ${ran} of ${reports.length} labs ran, ${required} required (${require === 'all' ? '--require-all' : `--require ${require}`})` +
        (why.length ? `; skipped: ${why.join('; ')}` : ''),
    );
  }
  const exitCode = failed ? LabTestExit.failed : tooFew ? LabTestExit.tooFewRan : LabTestExit.ok;
  return { passed, failed, skipped, required, text: lines.join('\n'), exitCode };
}

export async function runLabTestsMain(argv: string[]): Promise<number> {
  let args: LabTestArgs;
  try {
    args = parseLabTestArgs(argv);
  } catch (e) {
    process.stderr.write(`isoplay lab test: ${(e as Error).message}\nusage: isoplay lab test [--require N | --require-all] [--jobs N] [--server-flag value ...] [id...]\n`);
    return LabTestExit.usage;
  }
  const config = loadConfig(args.configArgv, process.env);
  // Each lab's report as it ends (a long run shows its progress), then the summary.
  const reports = await runLabTests(args.ids, config, args.jobs, (r) => process.stdout.write(`${formatReports([r])}\n`));
  const summary = summarizeLabTests(reports, args.require);
  process.stdout.write(`${summary.text}\n`);
  return summary.exitCode;
}
