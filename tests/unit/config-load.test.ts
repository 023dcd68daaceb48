import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig } from '../../server/config.js';
import { IsoplayError } from '../../server/errors.js';

function configError(fn: () => unknown): IsoplayError {
  try {
    fn();
  } catch (e) {
    return e as IsoplayError;
  }
  throw new Error('expected an error');
}

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig();
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.limits.memoryBytes).toBe(256 * 1024 * 1024);
    expect(c.limits.pids).toBe(256);
    expect(c.prefix).toBe('isoplay');
  });

  it('takes flags in both forms, and flags win over the environment', () => {
    const c = loadConfig(['--port', '9000', '--host=0.0.0.0', '--memory', '64M'], { PORT: '7000', HOST: '10.0.0.1', ISOPLAY_PIDS: '99' });
    expect(c.port).toBe(9000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.limits.memoryBytes).toBe(64 * 1024 * 1024);
    expect(c.limits.pids).toBe(99);
  });

  it('reads PORT and HOST from the environment', () => {
    const c = loadConfig([], { PORT: '7000', HOST: '0.0.0.0' });
    expect([c.port, c.host]).toEqual([7000, '0.0.0.0']);
  });

  it.each([
    [['--port', 'abc'], {}, 'port'],
    [['--memory', '12 parsecs'], {}, 'limits.memoryBytes'],
    [[], { ISOPLAY_PIDS: '0' }, 'limits.pids'],
    [['--mode', 'vm'], {}, 'mode'],
    [['--bogus', '1'], {}, '--bogus'],
    [['--port'], {}, 'port'],
  ] as [string[], Record<string, string>, string][])('names the key of a bad value: %j %j', (argv, env, key) => {
    const e = configError(() => loadConfig(argv, env));
    expect(e.code).toBe('ISOPLAY_ERR_CONFIG');
    expect(e.params.key).toBe(key);
  });

  it('refuses a pool as large as the capacity', () => {
    const e = configError(() => loadConfig(['--max-sessions', '3', '--pool-size', '3']));
    expect(e.params.key).toBe('poolSize');
  });

  it('defaults are a fresh object each time', () => {
    const a = defaultConfig();
    a.limits.pids = 1;
    expect(defaultConfig().limits.pids).toBe(256);
  });
});
