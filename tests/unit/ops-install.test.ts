// deploy/install.sh run for real into a scratch root (INSTALL_ROOT; the steps that change the running
// host skipped), then its unit checked by `systemd-analyze verify` against that root, and the
// AppArmor profile checked by apparmor_parser where the host has it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INIT_BIN } from '../../server/sandbox/runtime.js';

const ROOT = path.resolve(__dirname, '../..');
let scratch: string;

function install(): { status: number | null; out: string } {
  const r = spawnSync('bash', [path.join(ROOT, 'deploy/install.sh')], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, INSTALL_ROOT: scratch, ISOPLAY_SKIP_SYSTEM: '1', ISOPLAY_SKIP_BUILD: '1', ISOPLAY_NODE: process.execPath, ISOPLAY_APPARMOR: '1' },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-install-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('deploy/install.sh into a scratch root', () => {
  it('lays out code, config, data, unit, sysctl and AppArmor files in the usual places', () => {
    const r = install();
    expect(r.status, r.out).toBe(0);
    const at = (p: string) => path.join(scratch, p);
    expect(fs.existsSync(at('opt/isoplay/server/cli.ts'))).toBe(true);
    expect(fs.existsSync(at('opt/isoplay/node_modules/tsx/dist/cli.mjs'))).toBe(true);
    expect(fs.existsSync(at('opt/isoplay/.git'))).toBe(false);
    expect(execFileSync(at('opt/isoplay/node/bin/node'), ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()).toBe(process.versions.node);
    expect(fs.readFileSync(at('etc/isoplay/config'), 'utf8')).toMatch(/^HOST=0\.0\.0\.0$/m);
    expect(fs.statSync(at('var/lib/isoplay')).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(at('etc/sysctl.d/60-isoplay.conf'), 'utf8')).toMatch(/^user\.max_user_namespaces = 2048$/m);
    expect(fs.readFileSync(at('etc/apparmor.d/isoplay-init'), 'utf8')).toContain('userns,');
    expect(r.out).toContain('system steps skipped');
  }, 60_000);

  it('installs a unit that systemd-analyze verify accepts, with the required directives', () => {
    const unit = path.join(scratch, 'etc/systemd/system/isoplay.service');
    const text = fs.readFileSync(unit, 'utf8');
    for (const line of ['Restart=on-failure', 'Delegate=yes', 'EnvironmentFile=/etc/isoplay/config', 'Environment=ISOPLAY_CGROUP_DELEGATE=on', 'StandardOutput=journal', 'WantedBy=multi-user.target']) {
      expect(text.split('\n'), line).toContain(line);
    }
    expect(text).toMatch(/^ExecStartPre=\S+ .*server\/cli\.ts doctor$/m);
    expect(text).toMatch(/^ExecStart=\S+ .*server\/cli\.ts start$/m);
    // verify needs the system's own units (sysinit.target...) inside the root it checks.
    fs.mkdirSync(path.join(scratch, 'usr/lib/systemd'), { recursive: true });
    fs.cpSync('/lib/systemd/system', path.join(scratch, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    const v = spawnSync('systemd-analyze', ['verify', `--root=${scratch}`, unit], { encoding: 'utf8' });
    expect(v.stderr + v.stdout).toBe('');
    expect(v.status).toBe(0);
    // The same check fails when an ExecStart binary is missing: verify does look inside the root.
    const broken = path.join(scratch, 'etc/systemd/system/isoplay-broken.service');
    fs.writeFileSync(broken, text.replaceAll('/opt/isoplay/node/bin/node', '/opt/isoplay/node/bin/no-such-node'));
    const b = spawnSync('systemd-analyze', ['verify', `--root=${scratch}`, broken], { encoding: 'utf8' });
    expect(b.stderr).toContain('no-such-node');
    fs.rmSync(broken);
  });

  it('keeps an edited config when run again', () => {
    const config = path.join(scratch, 'etc/isoplay/config');
    fs.appendFileSync(config, 'ISOPLAY_MAX_SESSIONS=7\n');
    expect(install().status).toBe(0);
    expect(fs.readFileSync(config, 'utf8')).toContain('ISOPLAY_MAX_SESSIONS=7');
  }, 60_000);

  it('the AppArmor profile attaches to the helper where the install puts it, and parses', () => {
    const profile = fs.readFileSync(path.join(ROOT, 'deploy/apparmor/isoplay-init'), 'utf8');
    const attach = /^profile isoplay-init (\S+) flags=\(unconfined\) \{$/m.exec(profile)?.[1];
    expect(attach).toBe(path.join('/opt/isoplay', path.relative(ROOT, INIT_BIN)));
    const parser = spawnSync('apparmor_parser', ['--version'], { encoding: 'utf8' });
    if (parser.status !== 0) return; // no parser on this host: the text checks above only
    // apparmor 3 (Debian 12) knows neither abi 4.0 nor the userns rule; check the rest of the syntax there.
    const v4 = /version 4/.test(parser.stdout);
    const text = v4 ? profile : profile.replace('abi <abi/4.0>,', 'abi <abi/3.0>,').replace(/^\s*userns,$/m, '');
    const file = path.join(scratch, 'isoplay-init.profile');
    fs.writeFileSync(file, text);
    const r = spawnSync('apparmor_parser', ['--skip-kernel-load', '--skip-cache', '--skip-read-cache', file], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    // And the parser does refuse a broken rule (so the pass above means something).
    fs.writeFileSync(file, text.replace('flags=(unconfined) {', 'flags=(unconfined) {\n  bogus_rule,'));
    expect(spawnSync('apparmor_parser', ['--skip-kernel-load', '--skip-cache', '--skip-read-cache', file], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
