import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandError, runCommand, shellQuote, spawner } from '../../server/sandbox/exec.js';

describe('exec: host commands that finish, with errors that say what happened', () => {
  it('a command that cannot be started is reported as such (ENOENT), not as "exited with undefined"', async () => {
    const e = await runCommand('/nonexistent/isoplay-cmd', ['x']).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CommandError);
    expect((e as CommandError).result.spawnError).toMatch(/^ENOENT/);
    expect((e as Error).message).toMatch(/could not be started \(ENOENT/);
    expect((e as Error).message).not.toMatch(/undefined/);
    const r = await runCommand('/nonexistent/isoplay-cmd', [], { reject: false });
    expect(r.exitCode).toBeUndefined();
    expect(r.spawnError).toMatch(/^ENOENT/);
  });

  it('the command it prints is quoted as a shell would need it', async () => {
    const e = (await runCommand('/bin/sh', ['-c', `echo "it's" >&2; exit 3`]).catch((err: unknown) => err)) as CommandError;
    expect(e.result.command).toBe(`/bin/sh -c 'echo "it'\\''s" >&2; exit 3'`);
    expect(e.message).toBe(`/bin/sh -c 'echo "it'\\''s" >&2; exit 3' exited with 3: it's`);
    expect(e.result.spawnError).toBeUndefined();
  });

  it('shellQuote leaves plain words alone and quotes everything else, newlines and empty strings too', () => {
    expect(shellQuote('/usr/bin/env')).toBe('/usr/bin/env');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('x\ny')).toBe("'x\ny'");
    expect(shellQuote('$(id)')).toBe("'$(id)'");
  });
});

describe('exec: commands start in the isoplay-spawner helper, never by a fork of the server', () => {
  const ppidOf = async (env?: Record<string, string>) =>
    Number((await runCommand('/bin/sh', ['-c', 'echo $PPID'], env ? { env } : {})).stdout.trim());

  it("a command's parent is the helper process (isoplay-spawner), not this process", async () => {
    const ppid = await ppidOf();
    expect(ppid).toBe(spawner.pid);
    expect(ppid).not.toBe(process.pid);
    expect(fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8')).toMatch(/^isoplay-spawner/);
    // and the helper is this process's child
    expect(fs.readFileSync(`/proc/${ppid}/stat`, 'utf8').split(') ')[1].split(' ')[1]).toBe(String(process.pid));
  });

  it('input, exit codes, stderr, an environment and a timeout travel through it as before', async () => {
    const r = await runCommand('/bin/sh', ['-c', 'cat; echo "$FOO" >&2; exit 4'], { input: new Uint8Array([104, 105]), env: { FOO: 'bar', PATH: '/bin:/usr/bin' }, reject: false });
    expect(r).toMatchObject({ exitCode: 4, stdout: 'hi', stderr: 'bar\n', timedOut: false });
    const t = await runCommand('/bin/sleep', ['30'], { timeoutMs: 200, reject: false });
    expect(t.timedOut).toBe(true);
    expect(t.durationMs).toBeLessThan(5000);
    // what the server's environment says now, not what it said when the helper started
    process.env.ISOPLAY_EXEC_TEST = 'late';
    try {
      expect((await runCommand('/bin/sh', ['-c', 'echo $ISOPLAY_EXEC_TEST'])).stdout).toBe('late\n');
    } finally {
      delete process.env.ISOPLAY_EXEC_TEST;
    }
  });

  it('a helper killed mid-command fails that command with a reason, and the next command gets a new helper', async () => {
    await ppidOf();
    const first = spawner.pid!;
    const slow = runCommand('/bin/sleep', ['30'], { reject: false });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(first, 'SIGKILL');
    const r = await slow;
    expect(r.spawnError).toMatch(/^ESPAWNER: the spawner process exited \(SIGKILL\)/);
    const ppid = await ppidOf();
    expect(ppid).not.toBe(first);
    expect(ppid).toBe(spawner.pid);
  });

  it('when its server dies, the helper exits and kills the commands it was running', async () => {
    // A throwaway "server": starts `sleep` through its helper, prints both pids, then is killed -9.
    const script = `import { runCommand, spawner } from ${JSON.stringify(path.resolve('server/sandbox/exec.ts'))};
      void runCommand('/bin/sh', ['-c', 'echo $$ > ${'${OUT}'}; exec sleep 60'], { timeoutMs: 120000 });
      setInterval(() => { if (spawner.pid) console.log('helper', spawner.pid); }, 100);`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-exec-'));
    const file = path.join(dir, 'server.mts');
    fs.writeFileSync(file, script.replace('${OUT}', path.join(dir, 'sleep.pid')));
    // node with tsx's loader, not the tsx CLI (which would run the script in a grandchild)
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const helper = await new Promise<number>((resolve) => child.stdout!.on('data', (d: Buffer) => { const m = /helper (\d+)/.exec(String(d)); if (m) resolve(Number(m[1])); }));
    const sleepFile = path.join(dir, 'sleep.pid');
    await expect.poll(() => fs.existsSync(sleepFile), { timeout: 10_000 }).toBe(true);
    const sleeper = Number(fs.readFileSync(sleepFile, 'utf8'));
    const alive = (pid: number) => { try { return !/^\d+ \(\S+\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
    expect(alive(helper) && alive(sleeper)).toBe(true);
    child.kill('SIGKILL');
    await expect.poll(() => alive(helper), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => alive(sleeper), { timeout: 10_000 }).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('ISOPLAY_SPAWNER=off starts commands in this process (the benchmarks\' baseline)', async () => {
    process.env.ISOPLAY_SPAWNER = 'off';
    try {
      expect(await ppidOf()).toBe(process.pid);
    } finally {
      delete process.env.ISOPLAY_SPAWNER;
    }
  });
});
