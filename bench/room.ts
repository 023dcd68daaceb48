// `npm run bench -- --only room`: a whole-room rehearsal. 60 learners (`--quick`: 12) join one
// workshop through its join code within 30 s, from room-client processes of their own (30 each),
// land in its path's first lab, solve step 1 by typing it (the automatic check after the command
// passes it) and type a key every 100 ms, while the instructor broadcasts a demo terminal that
// prints a line every second to every learner and refreshes the dashboard every 2 s. Reported
// beside one learner alone on the same server (the baseline): join latency (POST to the prompt),
// echo, check latency (Enter to the step-passed event), dashboard latency, failures, and the
// instructor page's capacity figure for this server against the 60 it held.
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { encodeClientFrame } from '../server/protocol/frames.js';
import type { WorkshopCapacityView } from '../server/protocol/api.js';
import { childServer } from './common.js';
import type { RoomClientResult } from './room-client.js';
import { percentile, row, type Row } from './stats.js';

const KEY = 'bench-instructor-key-0123456789';
const PER_CLIENT = 30;

export interface RoomFigures {
  learners: number;
  joined: number;
  join: number[];
  check: number[];
  echo: number[];
  echoSettled: number[];
  lost: number;
  dashboard: number[];
  broadcastMin: number;
  failed: string[];
  capacity: WorkshopCapacityView;
  serverCpuPct: number;
  loopMaxMs: number;
}

async function json<T>(r: Response): Promise<T> {
  if (r.status >= 300) throw new Error(`${r.url}: ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r.json() as Promise<T>;
}

function roomClient(input: object): Promise<RoomClientResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'room-client.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(`${JSON.stringify(input)}\n`);
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as RoomClientResult));
    child.once('exit', (c) => c && reject(new Error(`room client exited ${c}`)));
  });
}

export async function rehearse(learners: number, seconds: number): Promise<RoomFigures> {
  const srv = await childServer(['--instructor-key', KEY, '--memory', '96M', '--max-sessions', String(learners + 10), '--workshop-session-rate-max', '100000']);
  try {
    const post = (url: string, body: unknown, key?: string) =>
      fetch(`${srv.base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
    const w = await json<{ id: string; joinCode: string; instructorKey: string }>(
      await post('/api/workshops', { title: 'Rehearsal', path: ['first-namespace', 'uts-ipc'], learnerLimit: learners + 5 }, KEY),
    );
    const auth = { headers: { authorization: `Bearer ${w.instructorKey}` } };
    // The instructor's demo: a sandbox of its own, broadcast, printing a line every second.
    const demo = await json<{ id: string; token: string }>(await post('/api/sessions', {}));
    await json(await post(`/api/workshops/${w.id}/broadcast`, { sessionId: demo.id, token: demo.token }, w.instructorKey));
    const demoTerm = new WebSocket(`${srv.ws}/api/sessions/${demo.id}/terminals/shell?token=${demo.token}`);
    demoTerm.on('message', (raw: Buffer) => demoTerm.send(encodeClientFrame({ type: 'ack', bytes: raw.length })));
    await new Promise((r) => demoTerm.once('open', r));
    demoTerm.send(encodeClientFrame({ type: 'input', data: Buffer.from('while sleep 1; do echo demo-$((n+=1)); done\r') }));
    // The dashboard, every 2 s.
    const dashboard: number[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const t0 = performance.now();
        await json(await fetch(`${srv.base}/api/workshops/${w.id}`, auth));
        dashboard.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    await srv.loop('reset');
    const names = Array.from({ length: learners }, (_, i) => `Learner ${i + 1}`);
    const joinEveryMs = Math.min(500, Math.floor(30_000 / learners));
    const results = await Promise.all(
      Array.from({ length: Math.ceil(learners / PER_CLIENT) }, (_, c) =>
        roomClient({ base: srv.base, ws: srv.ws, code: w.joinCode, names: names.slice(c * PER_CLIENT, (c + 1) * PER_CLIENT), joinEveryMs: joinEveryMs * Math.ceil(learners / PER_CLIENT), seconds }),
      ),
    );
    const loop = await srv.loop('read');
    polling = false;
    await poll;
    const capacity = await json<WorkshopCapacityView>(await fetch(`${srv.base}/api/workshops/${w.id}/capacity`, auth));
    demoTerm.close();
    const all = <K extends keyof RoomClientResult>(k: K) => results.flatMap((r) => r[k] as unknown as number[]);
    return {
      learners,
      joined: all('joinMs').length,
      join: all('joinMs'),
      check: all('checkMs'),
      echo: all('echoMs'),
      // The room settled: keys typed after the last learner got its prompt (no sandbox being made).
      echoSettled: (() => {
        const last = Math.max(...all('joinedAt'));
        const at = all('echoTypedAt');
        return all('echoMs').filter((_, i) => at[i] > last + 1000);
      })(),
      lost: results.reduce((n, r) => n + r.lost, 0),
      dashboard,
      broadcastMin: Math.min(...all('broadcastBytes')),
      failed: results.flatMap((r) => r.failed),
      capacity,
      serverCpuPct: loop.cpuPct,
      loopMaxMs: loop.maxMs,
    };
  } finally {
    await srv.stop();
  }
}

export async function benchRoom(rows: Row[], quick: boolean): Promise<void> {
  const n = quick ? 12 : 60;
  const seconds = quick ? 25 : 45;
  process.stderr.write('bench: room: one learner alone (the baseline)…\n');
  const one = await rehearse(1, 20);
  process.stderr.write(`bench: room: ${n} learners…\n`);
  const f = await rehearse(n, seconds);
  const p = (xs: number[], q: number) => percentile(xs, q);
  process.stderr.write(`bench: room ${n}: ${JSON.stringify({ ...f, join: undefined, check: undefined, echo: undefined, echoSettled: undefined, dashboard: undefined, failed: f.failed.slice(0, 5) })}\n`);
  const tag = `${n} learners (${f.joined} joined, ${f.failed.length} failures, ${f.lost} keys lost)`;
  rows.push(row(`room: join p50, ${tag}`, p(f.join, 50), 'ms', 'join, one learner alone', p(one.join, 50)));
  rows.push(row(`room: join p99, ${n} learners`, p(f.join, 99), 'ms', 'join, one learner alone', p(one.join, 99)));
  rows.push(row(`room: check latency p50 (Enter to passed), ${n} learners`, p(f.check, 50), 'ms', 'one learner alone', p(one.check, 50)));
  rows.push(row(`room: check latency p99, ${n} learners`, p(f.check, 99), 'ms', 'one learner alone', p(one.check, 99)));
  rows.push(row(`room: echo p50, ${n} learners`, p(f.echo, 50), 'ms', 'one learner alone', p(one.echo, 50)));
  rows.push(row(`room: echo p99, ${n} learners`, p(f.echo, 99), 'ms', 'one learner alone', p(one.echo, 99)));
  rows.push(row(`room: echo p99 once all ${n} had joined (${f.echoSettled.length} keys)`, p(f.echoSettled, 99), 'ms', 'one learner alone, joined', p(one.echoSettled, 99)));
  rows.push(row(`room: dashboard p99, ${n} learners`, p(f.dashboard, 99), 'ms', 'one learner alone', p(one.dashboard, 99)));
  rows.push(row(`room: longest event-loop block, ${n} learners`, f.loopMaxMs, 'ms', 'one learner alone', one.loopMaxMs));
  rows.push(row(`room: broadcast bytes to the slowest learner`, f.broadcastMin, 'B', 'one learner alone', one.broadcastMin));
  rows.push(row(`room: the instructor page's capacity (${f.capacity.limitedBy}) vs learners held`, f.capacity.seats, 'seats', 'learners the rehearsal held', f.joined));
}
