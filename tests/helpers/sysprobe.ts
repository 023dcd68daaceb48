// sysprobe (tests/fixtures/sysprobe/sysprobe.c), compiled once per test file and bound read-only
// into sandboxes at /opt/probe: one raw syscall per run, on the x86-64, i386 or x32 ABI.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import type { Sandbox } from '../../server/sandbox/spec.js';
import { newSessionId } from '../../server/sessions/session.js';
import { sh, type Kit } from './sandbox.js';

const SRC = new URL('../fixtures/sysprobe/sysprobe.c', import.meta.url).pathname;

/** Compiles sysprobe into a fresh directory readable by the sandboxes; returns the directory. */
export function buildSysprobe(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-sysprobe-'));
  fs.chmodSync(dir, 0o755);
  execFileSync('cc', ['-O0', '-o', path.join(dir, 'sysprobe'), SRC]);
  return dir;
}

/** Can this host run the i386 entry point at all? (A paravirtualised host may fault on int 0x80.) */
export function i386Works(dir: string): boolean {
  return spawnSync(path.join(dir, 'sysprobe'), ['keyctl', 'i386']).status === 0;
}

export async function probe(sb: Sandbox, name: string, abi = 'x86_64'): Promise<{ ret: number; errno: string }> {
  const r = await sh(sb, `/opt/probe/sysprobe ${name} ${abi}`);
  const m = new RegExp(`^${name} ${abi} (-?\\d+) (\\S+)$`).exec(r.stdout.trim());
  if (!m) throw new Error(`sysprobe ${name} ${abi}: ${r.stdout} ${r.stderr} (exit ${r.exitCode ?? r.signal})`);
  return { ret: Number(m[1]), errno: m[2] };
}

/** Two sandboxes with sysprobe at /opt/probe: one under the syscall filter, one without it. */
export async function probeSandboxes(kit: Kit, dir: string): Promise<{ filtered: Sandbox; open: Sandbox }> {
  const spec = (seccomp: boolean) => kit.factory.specFor(newSessionId(), { extraRoBinds: [`${dir}:/opt/probe`], seccomp });
  const [filtered, open] = await Promise.all([kit.factory.create(spec(true)), kit.factory.create(spec(false))]);
  return { filtered, open };
}
