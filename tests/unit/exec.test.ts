import { describe, expect, it } from 'vitest';
import { CommandError, runCommand, shellQuote } from '../../server/sandbox/exec.js';

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
