// `isoplay lab test [id...]`: every lab in a fresh sandbox; for each step the check must FAIL
// before its solve and PASS after. Authors get a report naming the step and the reason.
import { loadConfig, type Config } from '../config.js';
import { createCgroupDriver } from '../sandbox/cgroups/index.js';
import { createSandboxFactory } from '../sandbox/index.js';
import { removeEmptyParents } from '../sandbox/reaper.js';
import { loadCatalog, solveTimeoutMs, vmUnavailable, type Lab } from './catalog.js';
import { runCheck, runScript } from './checker.js';

export interface StepReport {
  step: number;
  title: string;
  ok: boolean;
  detail: string;
}

export interface LabReport {
  lab: string;
  ok: boolean;
  skipped?: string;
  steps: StepReport[];
}

export async function runLabTests(ids: string[], config: Config): Promise<LabReport[]> {
  const driver = await createCgroupDriver(config);
  const factory = createSandboxFactory(config, driver);
  const catalog = await loadCatalog(config.labsDir, { cgroupMode: driver.mode, vmMissing: vmUnavailable() });
  const labs: Lab[] = ids.length ? ids.map((id) => {
    const l = catalog.get(id);
    if (!l) throw new Error(`no lab named ${id} in ${config.labsDir}`);
    return l;
  }) : [...catalog.labs.values()];
  const reports: LabReport[] = [];
  for (const lab of labs) {
    if (!lab.available) {
      reports.push({ lab: lab.id, ok: true, skipped: lab.reason, steps: [] });
      continue;
    }
    const id = `lt${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(0, 11).padEnd(11, '0');
    const sandbox = await factory.create(factory.specFor(id));
    const steps: StepReport[] = [];
    try {
      if (lab.setupScript) {
        const r = await runScript(sandbox, lab.setupScript, config.checkTimeoutMs);
        if (r.exitCode !== 0) throw new Error(`setup.sh exited ${r.exitCode}: ${r.stderr.trim()}`);
      }
      for (const [i, step] of lab.steps.entries()) {
        const env = { ISOPLAY_STEP: String(i + 1) };
        const before = await runCheck(sandbox, step.checkScript, config.checkTimeoutMs, env);
        if (before.status !== 'failed') {
          steps.push({ step: i + 1, title: step.title, ok: false, detail: `before its solve the check should fail (exit 1), but it ${before.status === 'passed' ? 'passed' : `errored: ${before.message}`}` });
          break;
        }
        const solve = await runScript(sandbox, step.solveScript, solveTimeoutMs(step, config.checkTimeoutMs));
        if (solve.exitCode !== 0) {
          steps.push({ step: i + 1, title: step.title, ok: false, detail: `the solve script exited ${solve.exitCode ?? solve.signal}${solve.timedOut ? ' (timed out: does it leave a background process holding stdout? redirect it to /dev/null)' : ''}: ${solve.stderr.trim().slice(-300)}` });
          break;
        }
        const after = await runCheck(sandbox, step.checkScript, config.checkTimeoutMs, env);
        if (after.status !== 'passed') {
          steps.push({ step: i + 1, title: step.title, ok: false, detail: `after its solve the check should pass, but it ${after.status}: ${after.message}` });
          break;
        }
        steps.push({ step: i + 1, title: step.title, ok: true, detail: after.message });
      }
      if (lab.cleanupScript) await runScript(sandbox, lab.cleanupScript, config.checkTimeoutMs);
    } catch (e) {
      steps.push({ step: 0, title: 'setup', ok: false, detail: (e as Error).message });
    } finally {
      await sandbox.destroy();
    }
    reports.push({ lab: lab.id, ok: steps.length === lab.steps.length && steps.every((s) => s.ok), steps });
  }
  // Leave nothing behind, not even the empty `isoplay` parents (rmdir refuses them if not empty).
  await removeEmptyParents(driver, config.prefix);
  return reports;
}

export function formatReports(reports: LabReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    if (r.skipped) {
      lines.push(`SKIP  ${r.lab}: ${r.skipped}`);
      continue;
    }
    lines.push(`${r.ok ? 'PASS' : 'FAIL'}  ${r.lab}`);
    for (const s of r.steps) lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} step ${s.step} ${s.title}: ${s.detail.split('\n')[0]}`);
  }
  return lines.join('\n');
}

export async function runLabTestsMain(argv: string[]): Promise<number> {
  const ids = argv.filter((a) => !a.startsWith('--'));
  const config = loadConfig(argv.filter((a) => a.startsWith('--')), process.env);
  const reports = await runLabTests(ids, config);
  process.stdout.write(`${formatReports(reports)}\n`);
  return reports.every((r) => r.ok) ? 0 : 1;
}

