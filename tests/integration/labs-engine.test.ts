// The lab engine on the real kernel: checks judge kernel state and cannot be faked by typing the
// expected words, broken checks are check errors, every lab passes its self-test, and progress
// survives a server restart.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../server/labs/checker.js';
import { runLabTests } from '../../server/labs/test-runner.js';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { makeKit, newSandbox, sh, type Kit } from '../helpers/sandbox.js';
import { createSession, startServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { until } from '../helpers/wait.js';

const UTS_CHECK = fs.readFileSync(new URL('../../labs/first-namespace/checks/02.sh', import.meta.url), 'utf8');
let kit: Kit;
let sb: Sandbox;
beforeAll(async () => {
  kit = await makeKit({ checkTimeoutMs: 1500 });
  sb = await newSandbox(kit);
});
afterAll(async () => sb?.destroy());

describe('checks', () => {
  it('cannot be passed by echoing the expected words or writing them to files', async () => {
    await sh(sb, 'echo "Process 42 (sleep) lives in UTS namespace uts:[1], called \\"inner\\""; echo inner > /etc/hostname; mkdir -p /tmp/proc/9/ns; echo inner > /tmp/hostname');
    expect((await runCheck(sb, UTS_CHECK, 5000)).status).toBe('failed');
    // unshare execs sh, which execs sleep (one pid): once it is sleep, the hostname is set.
    const made = await sh(sb, 'unshare --uts sh -c "hostname inner; exec sleep 1000" >/dev/null 2>&1 & until grep -qx sleep /proc/$!/comm; do sleep 0.01; done; echo made');
    expect(made.stdout.trim(), made.stderr).toBe('made');
    const ok = await runCheck(sb, UTS_CHECK, 5000);
    expect(ok.status).toBe('passed');
    expect(ok.message).toContain('"inner"');
  });

  it('reports a hanging check as a check error, not as the learner failing', async () => {
    const r = await runCheck(sb, 'sleep 60', 1500);
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/did not finish/);
  });

  it('reports a crashing check as a check error', async () => {
    const r = await runCheck(sb, 'kill -SEGV $$', 5000);
    expect(r.status).toBe('error');
    const r2 = await runCheck(sb, 'no-such-command-here', 5000);
    expect(r2.status).toBe('error');
    expect(r2.message).toMatch(/exit 127/);
  });
});

describe('lab self-test', () => {
  // Every lab's self-test runs once per suite, in scripts/test.sh (`isoplay lab test --require N`);
  // here, the runner itself on two labs: both really run and pass, with the check timeout labs get.
  it('runs each check before and after its solve, and reports every step of the labs it was given', async () => {
    // Side by side (jobs 2), as the suite runs them: each lab in a sandbox of its own, reports in order.
    const reports = await runLabTests(['first-namespace', 'uts-ipc'], { ...kit.config, checkTimeoutMs: 10_000 }, 2);
    expect(reports.map((r) => [r.lab, r.status])).toEqual([['first-namespace', 'passed'], ['uts-ipc', 'passed']]);
    for (const r of reports) expect(r.steps.map((s) => s.step)).toEqual(Array.from({ length: r.steps.length }, (_, i) => i + 1));
    expect(reports.every((r) => r.steps.length >= 3 && r.steps.every((s) => s.ok))).toBe(true);
  }, 120_000);
});

describe('progress', () => {
  it('survives a server restart, and the sandbox is rebuilt at the learner\'s step', async () => {
    const srv = await startServer({ dataDir: kit.config.dataDir });
    const learner = 'learner-restart-test';
    const s = await createSession(srv.base, { lab: 'first-namespace', learner });
    const c = TermClient.for(srv.ws, s);
    await c.open();
    const progress = async () => (await (await fetch(`${srv.base}/api/sessions/${s.id}/lab`, { headers: { authorization: `Bearer ${s.token}` } })).json()) as { current: number; passed: { step: number }[] };
    expect((await progress()).current).toBe(0);
    c.type('hostname my-box\r');
    // The automatic check after the command passes step 1 without a click.
    const p = await until(async () => {
      const now = await progress();
      return now.current >= 1 ? now : undefined;
    }, 8000, 'step 1 passed by the automatic check');
    expect(p.current).toBe(1);
    expect(p.passed.map((x) => x.step)).toEqual([0]);
    c.close();
    await srv.app.close();
    // A new server on the same data dir: same learner resumes at step 2, with hostname my-box replayed.
    const srv2 = await startServer({ dataDir: kit.config.dataDir });
    const s2 = await createSession(srv2.base, { lab: 'first-namespace', learner });
    const prog = await (await fetch(`${srv2.base}/api/sessions/${s2.id}/lab`, { headers: { authorization: `Bearer ${s2.token}` } })).json();
    expect(prog.current).toBe(1);
    expect(prog.passed.map((x: { step: number }) => x.step)).toEqual([0]);
    const sandbox = srv2.app.registry.get(s2.id)!.sandbox!;
    expect((await sh(sandbox, 'hostname')).stdout.trim()).toBe('my-box');
    await srv2.close();
  }, 60_000);
});
