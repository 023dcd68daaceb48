// One process of the whole-room rehearsal (`npm run bench -- --only room`): reads a JSON line
// ({ base, ws, code, names, joinEveryMs, seconds }) and joins the workshop with each name, one every
// `joinEveryMs`, as a learner's page would: POST /api/sessions with the join code and a name, then
// the terminal, event and broadcast sockets. Each learner solves step 1 of the workshop's first lab
// by typing it (`hostname my-box`); the automatic check after the command fires, and the time from
// Enter to the `step-passed` event is the check latency. Meanwhile each learner types a key every
// 100 ms and times its echo. Prints one JSON line with every figure at the end.
import readline from 'node:readline';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientFrame } from '../server/protocol/frames.js';
import { EchoTracker } from './echo.js';

export interface RoomClientResult {
  joinMs: number[];
  checkMs: number[];
  echoMs: number[];
  /** When each of echoMs's keys was typed (epoch ms), and when each learner got its prompt. */
  echoTypedAt: number[];
  joinedAt: number[];
  lost: number;
  broadcastBytes: number[];
  failed: string[];
  cpuPct: number;
}

interface Input {
  base: string;
  ws: string;
  code: string;
  names: string[];
  joinEveryMs: number;
  seconds: number;
}

class Learner {
  readonly tracker = new EchoTracker();
  term!: WebSocket;
  events!: WebSocket;
  demo!: WebSocket;
  text = '';
  demoBytes = 0;
  busy = true;
  failed: string | undefined;
  joinMs: number | undefined;
  joinedAt: number | undefined;
  checkMs: number | undefined;
  private enterAt = 0;
  private typedSince = 0;
  /** When to solve step 1 (a few seconds after the prompt), between two echoes. */
  solveAt = Infinity;

  async join(inp: Input, name: string): Promise<void> {
    const t0 = performance.now();
    const r = await fetch(`${inp.base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workshop: inp.code, name }) });
    if (r.status !== 201) throw new Error(`join ${name}: ${r.status} ${(await r.text()).slice(0, 160)}`);
    const s = (await r.json()) as { id: string; token: string; terminals: { name: string }[] };
    const q = `?token=${s.token}`;
    this.events = new WebSocket(`${inp.ws}/api/sessions/${s.id}/events${q}`);
    this.events.on('error', () => undefined);
    this.events.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { type: string; kind?: string };
      if (m.type === 'event' && m.kind === 'step-passed' && this.checkMs === undefined && this.enterAt) this.checkMs = performance.now() - this.enterAt;
    });
    this.demo = new WebSocket(`${inp.ws}/api/sessions/${s.id}/broadcast/terminal${q}`);
    this.demo.on('error', () => undefined);
    this.demo.on('message', (raw: Buffer) => {
      const f = decodeServerFrame(new Uint8Array(raw));
      if (f.type === 'output') this.demoBytes += f.data.length;
    });
    const shell = s.terminals[0]?.name ?? 'shell';
    this.term = new WebSocket(`${inp.ws}/api/sessions/${s.id}/terminals/${shell}${q}`);
    this.term.on('error', (e) => (this.failed ??= `terminal: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${name}: no prompt after 60 s`)), 60_000);
      this.term.on('message', (raw: Buffer) => {
        const at = performance.now();
        const f = decodeServerFrame(new Uint8Array(raw));
        if (f.type !== 'output') return;
        this.term.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
        if (!this.busy) this.tracker.received(f.data, performance.timeOrigin + at);
        this.text = (this.text + Buffer.from(f.data).toString('latin1')).slice(-300);
        if (this.text.endsWith('# ')) {
          if (this.joinMs === undefined) {
            this.joinMs = at - t0;
            this.joinedAt = performance.timeOrigin + at;
            clearTimeout(t);
            resolve();
          }
          this.busy = false;
        }
      });
    });
  }

  private send(s: string): void {
    if (this.term.readyState === WebSocket.OPEN) this.term.send(encodeClientFrame({ type: 'input', data: Buffer.from(s) }));
  }

  /** Step 1 of the first lab, typed: its automatic check passes it. */
  solve(): void {
    this.busy = true;
    this.text = '';
    this.enterAt = performance.now();
    this.send('\x15hostname my-box\r');
  }

  tick(): void {
    if (this.failed || this.busy) return;
    if (!this.enterAt && performance.now() >= this.solveAt && this.tracker.outstanding === 0) return this.solve();
    if (this.typedSince >= 40 && this.tracker.outstanding === 0) {
      this.send('\x15');
      this.typedSince = 0;
      return;
    }
    this.typedSince++;
    // Epoch ms (timeOrigin + now): comparable across the room's client processes.
    this.send(String.fromCharCode(this.tracker.type(performance.timeOrigin + performance.now())));
  }

  close(): void {
    for (const w of [this.term, this.events, this.demo]) w?.close();
  }
}

async function main(): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const inp = JSON.parse((await rl.next()).value as string) as Input;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const learners: Learner[] = [];
  const failed: string[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  await Promise.all(
    inp.names.map(async (name, i) => {
      await new Promise((r) => setTimeout(r, i * inp.joinEveryMs));
      const l = new Learner();
      try {
        await l.join(inp, name);
      } catch (e) {
        failed.push((e as Error).message);
        return;
      }
      learners.push(l);
      // A few seconds after the prompt, the learner solves step 1; keys every 100 ms otherwise.
      l.solveAt = performance.now() + 2000 + Math.random() * 3000;
      timers.push(setInterval(() => l.tick(), 100));
    }),
  );
  const left = inp.seconds * 1000 - (performance.now() - t0);
  await new Promise((r) => setTimeout(r, Math.max(10_000, left)));
  for (const t of timers) clearInterval(t);
  await new Promise((r) => setTimeout(r, 2000));
  const c = process.cpuUsage(cpu0);
  const result: RoomClientResult = {
    joinMs: learners.map((l) => l.joinMs!).filter((x) => x !== undefined),
    checkMs: learners.map((l) => l.checkMs).filter((x): x is number => x !== undefined),
    echoMs: learners.flatMap((l) => l.tracker.latencies),
    echoTypedAt: learners.flatMap((l) => l.tracker.typedAt),
    joinedAt: learners.map((l) => l.joinedAt!).filter((x) => x !== undefined),
    lost: learners.reduce((n, l) => n + l.tracker.outstanding, 0),
    broadcastBytes: learners.map((l) => l.demoBytes),
    failed: [...failed, ...learners.filter((l) => l.failed).map((l) => l.failed!), ...learners.filter((l) => l.checkMs === undefined).map(() => 'step 1 never passed')],
    cpuPct: ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100,
  };
  for (const l of learners) l.close();
  // Exit once the whole line is out: a pipe takes 64 KiB at a time, and the line is larger.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => setTimeout(() => process.exit(0), 200));
}

void main();
