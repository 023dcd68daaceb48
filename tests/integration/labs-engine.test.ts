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
    await sh(sb, 'unshare --uts sh -c "hostname inner; exec sleep 1000" >/dev/null 2>&1 &');
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
  it('every lab in labs/: each check fails before its solve and passes after', async () => {
    const reports = await runLabTests([], kit.config);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (const r of reports) {
      expect(r.ok, `${r.lab}: ${JSON.stringify(r.steps)}`).toBe(true);
      if (!r.skipped) expect(r.steps.every((s) => s.ok)).toBe(true);
    }
  }, 240_000);
});

describe('progress', () => {
  it('survives a server restart, and the sandbox is rebuilt at the learner\'s step', async () => {
    const srv = await startServer({ dataDir: kit.config.dataDir });
    const learner = 'learner-restart-test';
    const s = await createSession(srv.base, { lab: 'first-namespace', learner });
    const c = TermClient.for(srv.ws, s);
    await c.open();
    c.type('hostname my-box\r');
    // The automatic check after the command passes step 1 without a click.
    const deadline = Date.now() + 8000;
    let p = { current: 0 };
    while (p.current < 1 && Date.now() < deadline) {
      p = await (await fetch(`${srv.base}/api/sessions/${s.id}/lab`, { headers: { authorization: `Bearer ${s.token}` } })).json();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(p.current).toBe(1);
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
