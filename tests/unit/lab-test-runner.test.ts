// `isoplay lab test`'s verdict without a sandbox: a skipped lab is counted as skipped, never as
// passed; the exit code says failed (1), too few labs ran (3) or fine (0); --require N and
// --require-all are read from argv next to the server's own flags and the lab ids.
import { describe, expect, it } from 'vitest';
import { formatReports, LabTestExit, parseLabTestArgs, summarizeLabTests, type LabReport } from '../../server/labs/test-runner.js';

const passed = (lab: string): LabReport => ({ lab, status: 'passed', steps: [{ step: 1, title: 'Do it', ok: true, detail: 'done' }] });
const failed = (lab: string): LabReport => ({ lab, status: 'failed', steps: [{ step: 1, title: 'Do it', ok: false, detail: 'after its solve the check should pass, but it failed: nope\nmore' }] });
const skipped = (lab: string, why = 'needs cgroup v1; this host uses v2'): LabReport => ({ lab, status: 'skipped', skipped: why, steps: [] });

describe('lab test verdict', () => {
  it('counts a skipped lab as skipped, not passed, and names why', () => {
    const reports = [passed('a'), skipped('b'), passed('c')];
    const s = summarizeLabTests(reports, 1);
    expect([s.passed, s.failed, s.skipped]).toEqual([2, 0, 1]);
    expect(s.text.split('\n')[0]).toBe('lab test: 2 passed, 0 failed, 1 skipped');
    expect(s.exitCode).toBe(LabTestExit.ok);
    expect(formatReports(reports).split('\n')).toEqual(['PASS  a', '  ok   step 1 Do it: done', 'SKIP  b: needs cgroup v1; this host uses v2', 'PASS  c', '  ok   step 1 Do it: done']);
    // A lab that ran says how long its self-test took (what the v2 VM's share of CI is made of).
    expect(formatReports([{ ...passed('a'), ms: 12_345 }]).split('\n')[0]).toBe('PASS  a (12.3 s)');
  });

  it('fails (exit 1) when any lab failed, whatever else passed or was required', () => {
    const reports = [passed('a'), failed('b'), skipped('c')];
    for (const req of [1, 3, 'all'] as const) {
      const s = summarizeLabTests(reports, req);
      expect(s.exitCode, String(req)).toBe(LabTestExit.failed);
      expect(s.text.split('\n')).toContain('lab test: FAILED: b');
    }
    expect(formatReports(reports).split('\n').slice(2, 4)).toEqual(['FAIL  b', '  FAIL step 1 Do it: after its solve the check should pass, but it failed: nope']);
  });

  it('fails (exit 3) when fewer labs ran than required, naming the skipped ones and why', () => {
    const reports = [passed('a'), skipped('b'), skipped('vm', 'needs the VM image')];
    const two = summarizeLabTests(reports, 2);
    expect(two.exitCode).toBe(LabTestExit.tooFewRan);
    expect(two.text.split('\n')).toEqual([
      'lab test: 1 passed, 0 failed, 2 skipped',
      'lab test: only 1 of 3 labs ran, 2 required (--require 2); skipped: b (needs cgroup v1; this host uses v2); vm (needs the VM image)',
    ]);
    const all = summarizeLabTests(reports, 'all');
    expect(all.required).toBe(3);
    expect(all.exitCode).toBe(LabTestExit.tooFewRan);
    expect(all.text).toContain('(--require-all)');
    expect(summarizeLabTests(reports, 1).exitCode).toBe(LabTestExit.ok);
  });

  it('a run where every lab was skipped, or no lab was selected, is never a pass', () => {
    expect(summarizeLabTests([skipped('a'), skipped('b')], 1).exitCode).toBe(LabTestExit.tooFewRan);
    expect(summarizeLabTests([], 'all').exitCode).toBe(LabTestExit.tooFewRan);
  });

  it('passes (exit 0) with --require-all only when every lab ran and passed', () => {
    const s = summarizeLabTests([passed('a'), passed('b'), passed('c'), passed('d')], 'all');
    expect(s).toMatchObject({ passed: 4, failed: 0, skipped: 0, required: 4, exitCode: LabTestExit.ok });
    expect(s.text).toBe('lab test: 4 passed, 0 failed, 0 skipped');
  });
});

describe('lab test argv', () => {
  it('reads --require N, --require=N and --require-all beside server flags and lab ids', () => {
    expect(parseLabTestArgs([])).toEqual({ ids: [], configArgv: [], require: 1, jobs: 1 });
    expect(parseLabTestArgs(['--require', '4', 'first-namespace'])).toEqual({ ids: ['first-namespace'], configArgv: [], require: 4, jobs: 1 });
    expect(parseLabTestArgs(['--require=2'])).toMatchObject({ require: 2 });
    expect(parseLabTestArgs(['--require-all', 'a', 'b'])).toEqual({ ids: ['a', 'b'], configArgv: [], require: 'all', jobs: 1 });
    // A server flag's value is not a lab id, in either form.
    expect(parseLabTestArgs(['--labs-dir', '/tmp/labs', '--check-timeout-ms=500', 'x'])).toEqual({ ids: ['x'], configArgv: ['--labs-dir', '/tmp/labs', '--check-timeout-ms=500'], require: 1, jobs: 1 });
  });

  it('reads --jobs N and --jobs=N, and refuses a count outside 1..16', () => {
    expect(parseLabTestArgs(['--jobs', '2', 'a'])).toEqual({ ids: ['a'], configArgv: [], require: 1, jobs: 2 });
    expect(parseLabTestArgs(['--jobs=3'])).toMatchObject({ jobs: 3 });
    for (const bad of [['--jobs'], ['--jobs', '0'], ['--jobs=17'], ['--jobs', 'two']]) expect(() => parseLabTestArgs(bad), bad.join(' ')).toThrow(/--jobs needs a whole number from 1 to 16/);
  });

  it('refuses a --require that is not a whole number of labs', () => {
    for (const bad of [['--require'], ['--require', 'all'], ['--require', '0'], ['--require=-1'], ['--require', '2.5']]) {
      expect(() => parseLabTestArgs(bad), bad.join(' ')).toThrow(/--require needs a whole number/);
    }
  });
});
