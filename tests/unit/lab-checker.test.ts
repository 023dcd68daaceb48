// The check prelude's contract: `fail <reason-id> message` and `pass message`, parsed by the server.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CHECK_PRELUDE, parseFailure } from '../../server/labs/checker.js';

function runPrelude(script: string): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync('/bin/bash', ['-s'], { input: CHECK_PRELUDE + script, encoding: 'utf8' }) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, stdout: err.stdout };
  }
}

describe('check prelude: pass, fail and the reason id', () => {
  it('fail prints the reason marker and the message and exits 1; the server splits them', () => {
    const r = runPrelude('fail no-namespace "Process 12 (bash) is still in the sandbox\'s namespace."\necho never');
    expect(r.code).toBe(1);
    expect(parseFailure(r.stdout)).toEqual({ reason: 'no-namespace', message: "Process 12 (bash) is still in the sandbox's namespace." });
  });

  it('fail without a message leaves the message empty (the lab\'s default message is used); pass exits 0', () => {
    const r = runPrelude('fail not-yet');
    expect([r.code, parseFailure(r.stdout)]).toEqual([1, { reason: 'not-yet', message: '' }]);
    const p = runPrelude('pass "Done: 3 processes."\nexit 7');
    expect([p.code, p.stdout.trim()]).toEqual([0, 'Done: 3 processes.']);
  });

  it('a check that prints its own text and exits 1 has no reason, and a learner-like marker in later lines is not taken', () => {
    expect(parseFailure('Not yet.\nisoplay-reason:fake')).toEqual({ message: 'Not yet.\nisoplay-reason:fake' });
    expect(parseFailure('isoplay-reason:Bad_Id\nmsg')).toEqual({ message: 'isoplay-reason:Bad_Id\nmsg' });
  });
});
