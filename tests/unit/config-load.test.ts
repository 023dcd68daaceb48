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

  it('reads on/off switches: VM labs on by default, off by flag or environment', () => {
    expect([loadConfig().vmLabs, loadConfig(['--vm-labs=off']).vmLabs, loadConfig([], { ISOPLAY_VM_LABS: 'off' }).vmLabs]).toEqual([true, false, false]);
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
    [['stray-argument'], {}, 'stray-argument'],
    [['--vm-labs', 'maybe'], {}, 'vmLabs'],
    [['--allowed-hosts', 'playground.example.org,http://evil.example/'], {}, 'allowedHosts'],
    [[], { ISOPLAY_UNATTACHED_GRACE_MS: '10' }, 'unattachedGraceMs'],
    [['--session-rate-max', '0'], {}, 'sessionRateMax'],
  ] as [string[], Record<string, string>, string][])('names the key of a bad value: %j %j', (argv, env, key) => {
    const e = configError(() => loadConfig(argv, env));
    expect(e.code).toBe('ISOPLAY_ERR_CONFIG');
    expect(e.params.key).toBe(key);
  });

  it('reads the web-edge keys: allowed hosts, trusted proxies, session limits and the short grace', () => {
    const d = loadConfig();
    expect([d.allowedHosts, d.trustProxy, d.unattachedGraceMs, d.sessionRateMax, d.maxSessionsPerClient]).toEqual([[], [], 60_000, 10, 5]);
    expect(d.unattachedGraceMs).toBeLessThan(d.detachGraceMs);
    const c = loadConfig(['--allowed-hosts', 'Playground.example.org, lab.local', '--max-sessions-per-client=2'], {
      ISOPLAY_TRUST_PROXY: '10.0.0.1',
      ISOPLAY_WORKSHOP_SESSION_RATE_MAX: '500',
      ISOPLAY_SESSION_RATE_WINDOW_MS: '30000',
      ISOPLAY_UNATTACHED_GRACE_MS: '5000',
    });
    expect(c.allowedHosts).toEqual(['Playground.example.org', 'lab.local']);
    expect([c.trustProxy, c.maxSessionsPerClient, c.workshopSessionRateMax, c.sessionRateWindowMs, c.unattachedGraceMs]).toEqual([['10.0.0.1'], 2, 500, 30000, 5000]);
  });

  it("reads the sandbox start timeout (10 s unless raised; under a second is refused, naming the key)", () => {
    expect(loadConfig().sandboxStartTimeoutMs).toBe(10_000);
    expect(loadConfig([], { ISOPLAY_SANDBOX_START_TIMEOUT_MS: '120000' }).sandboxStartTimeoutMs).toBe(120_000);
    const e = configError(() => loadConfig(['--sandbox-start-timeout-ms', '50']));
    expect(e.code).toBe('ISOPLAY_ERR_CONFIG');
    expect(e.message).toContain('sandboxStartTimeoutMs');
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
