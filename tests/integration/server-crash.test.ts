// kill -9 of a server with live sessions: a new server's reaper leaves nothing of them, and a
// clean stop leaves nothing at all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.js';
import { createSession, startMainServer } from '../helpers/server.js';
import { TermClient } from '../helpers/ws.js';
import { isoplayCgroupsNamed } from '../helpers/leaks.js';

async function startChild(dataDir: string, port: number): Promise<{ child: ChildProcess; base: string }> {
  return { child: await startMainServer(dataDir, port, ['--pool-size', '1']), base: `http://127.0.0.1:${port}` };
}

describe('server crash', () => {
  it('a killed server leaves objects that the next start removes (only its own: a neighbour server on the host keeps its learner); a clean stop leaves none', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-crash-'));
    const port = 20000 + (process.pid % 20000);
    // A second playground on the same host (another data directory), with a learner typing.
    const neighbourDir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-crash-'));
    const n = await startChild(neighbourDir, port + 2);
    const ns = await createSession(n.base);
    const nt = TermClient.for(n.base.replace('http', 'ws'), ns);
    await nt.open();
    const a = await startChild(dataDir, port);
    const sessions = [await createSession(a.base), await createSession(a.base)];
    const c = TermClient.for(a.base.replace('http', 'ws'), sessions[0]);
    await c.open();
    c.type('sleep 1000 &\r');
    await c.waitForText('[1]');
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    // The sandboxes die with their monitor (PR_SET_PDEATHSIG); their cgroups stay until a reaper runs.
    for (const s of sessions) expect(isoplayCgroupsNamed(s.id).length).toBeGreaterThan(0);
    const tag = isoplayCgroupsNamed(sessions[0].id)[0].split('/').pop()!.split('-')[0];
    const b = await startChild(dataDir, port + 1);
    for (const s of sessions) expect(isoplayCgroupsNamed(s.id)).toEqual([]);
    // The restarted server's reaper left the neighbour's sandbox alone: its shell still answers.
    expect(isoplayCgroupsNamed(ns.id).length).toBeGreaterThan(0);
    nt.type('echo neighbour-$((6*7))\r');
    await nt.waitForText('neighbour-42');
    nt.close();
    n.child.kill('SIGTERM');
    expect(await new Promise((r) => n.child.once('exit', r))).toBe(0);
    expect(isoplayCgroupsNamed(ns.id)).toEqual([]);
    const s3 = await createSession(b.base);
    expect(isoplayCgroupsNamed(s3.id).length).toBeGreaterThan(0);
    b.child.kill('SIGTERM');
    const code = await new Promise((r) => b.child.once('exit', r));
    expect(code).toBe(0);
    expect(isoplayCgroupsNamed(s3.id)).toEqual([]);
    // A clean stop leaves no cgroup of its instance (the parent goes too, unless another run's sandboxes are in it).
    expect(tag).toMatch(/^i[0-9a-z]{2}$/);
    expect(fs.existsSync('/sys/fs/cgroup/memory/isoplay') ? fs.readdirSync('/sys/fs/cgroup/memory/isoplay', { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith(`${tag}-`)).map((e) => e.name) : []).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(neighbourDir, { recursive: true, force: true });
  }, 60_000);
});
