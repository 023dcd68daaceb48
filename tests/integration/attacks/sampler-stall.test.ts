// Attack: stall the kernel-view sampler that every learner shares. Session A makes 1500 child
// memory cgroups and runs a busy loop (issue 11, item 5: this took every other learner's echo from
// 1.8 ms to over a second), then 230 processes. What holds it: the sampler reads in a worker thread,
// never on the event loop that serves terminals, and reads a bounded amount per session, so B's
// terminal keeps answering and A's own view lists at most SAMPLE_BOUNDS of each with "N more".
// Functional assertions only; the latency this costs B is a benchmark (npm run bench -- --only attacks).
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CgroupsMessage, ProcessesMessage, ServerEventMessage } from '../../../server/protocol/events.js';
import { SAMPLE_BOUNDS } from '../../../server/inspect/sample-pass.js';
import { createSession, startServer, type TestServer } from '../../helpers/server.js';
import { TermClient } from '../../helpers/ws.js';
import { until } from '../../helpers/wait.js';

let srv: TestServer;
let a: { id: string; token: string };
let b: { id: string; token: string };
let termA: TermClient;
let termB: TermClient;
let eventsA: WebSocket;
/** The latest message of each type on A's event socket, as A's page receives them. */
const latestA = new Map<string, ServerEventMessage>();

beforeAll(async () => {
  srv = await startServer();
  a = await createSession(srv.base);
  b = await createSession(srv.base);
  termA = TermClient.for(srv.ws, a);
  termB = TermClient.for(srv.ws, b);
  eventsA = new WebSocket(`${srv.ws}/api/sessions/${a.id}/events?token=${a.token}`);
  eventsA.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as ServerEventMessage;
    latestA.set(m.type, m);
  });
  await Promise.all([termA.waitForText('# '), termB.waitForText('# ')]);
}, 60_000);

afterAll(async () => {
  eventsA?.close();
  termA?.close();
  termB?.close();
  await srv?.close();
});

/** Types `keys` one at a time into B's prompt; each key's echo must come back before the next is typed. */
async function eachKeyEchoes(keys: string): Promise<void> {
  const from = termB.output.length;
  for (let i = 0; i < keys.length; i++) {
    termB.type(keys[i]);
    const want = keys.slice(0, i + 1);
    await termB.waitFor((c) => c.output.subarray(from).toString('latin1').includes(want), 5000, `the echo of key ${i + 1} (${JSON.stringify(keys[i])})`);
  }
  termB.type('\x15'); // erase the line (Ctrl-U), so the next round starts at a clean prompt
}

describe('attack: 1500 cgroups and a busy loop in one session', () => {
  it("leaves another session's terminal answering, and A's cgroup list bounded with the rest counted", async () => {
    // The server's own driver says where a learner makes memory cgroups: on v1 (and this hybrid
    // host) in the memory hierarchy; on v2 under the session after enabling the controller.
    const mode = srv.app.cgroupDriver!.mode;
    const dir = mode === 'v1' ? '/sys/fs/cgroup/memory' : '/sys/fs/cgroup';
    const enable = mode === 'v2' ? `echo +memory > ${dir}/cgroup.subtree_control && ` : '';
    termA.type(`${enable}cd ${dir} && mkdir $(seq -f c%g 1500) && cd / && echo MADE$((750*2)) && while :; do :; done\r`);
    await termA.waitForText('MADE1500', 60_000);

    const cg = await until(() => {
      const m = latestA.get('cgroups') as CgroupsMessage | undefined;
      return m && m.list.length + (m.more ?? 0) >= 1501 ? m : undefined;
    }, 15_000, "A's cgroups message counting all 1500 children");
    expect(cg.list.length).toBeLessThanOrEqual(SAMPLE_BOUNDS.cgroups);
    expect(cg.list[0].path).toBe('/');
    expect(cg.more).toBeGreaterThanOrEqual(1400);
    expect(cg.more).toBe(1501 - cg.list.length);
    expect(cg.moreIsLowerBound).toBeUndefined();

    // B, typing while A's attack runs: every key is echoed.
    await eachKeyEchoes('abcdefghijklmnopqrst');
    // And B's own kernel view still runs: its sampler answers beside A's.
    const bKernel = await fetch(`${srv.base}/api/sessions/${b.id}/kernel`, { headers: { authorization: `Bearer ${b.token}` } });
    const bMessages = ((await bKernel.json()) as { messages: ServerEventMessage[] }).messages;
    expect(bMessages.find((m) => m.type === 'cgroups')).toMatchObject({ list: [{ path: '/' }] });
  }, 120_000);

  it("lists A's processes up to the bound and counts the rest, while B keeps answering", async () => {
    termA.type('\x03'); // end the busy loop
    await termA.waitForText(/\^C[\s\S]*# $/, 10_000);
    termA.type('for i in $(seq 230); do sleep 600 & done; echo STARTED$((115*2))\r');
    await termA.waitForText('STARTED230', 30_000);
    const procs = await until(() => {
      const m = latestA.get('processes') as ProcessesMessage | undefined;
      return m && m.list.filter((p) => p.comm === 'sleep').length + (m.more ?? 0) >= 230 ? m : undefined;
    }, 15_000, "A's processes message counting all 230 sleeps");
    expect(procs.list.length).toBeLessThanOrEqual(SAMPLE_BOUNDS.processes);
    expect(procs.more).toBeGreaterThanOrEqual(30);
    await eachKeyEchoes('uvwxyz');
  }, 60_000);
});
