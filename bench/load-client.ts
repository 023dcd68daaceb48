// One process of the load generator (`npm run bench -- --only load`): reads a JSON line of sessions
// on stdin ({ ws, sessions: [{id, token}], seconds, commandEverySec }), opens each session's
// terminal and event sockets as a learner's page does (the kernel view's samplers run), waits for
// every prompt, prints "ready", then on "go" types a key every 100 ms per session (phases
// staggered) and, every few seconds per session, a short command, timing each key to its echo. At
// the end it prints one JSON line: every echo latency, keys lost, sessions that failed, and this
// process's own CPU (the host's two cores are shared with the server).
import readline from 'node:readline';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientFrame } from '../server/protocol/frames.js';
import { EchoTracker } from './echo.js';

export interface LoadClientInput {
  ws: string;
  sessions: { id: string; token: string }[];
  seconds: number;
  commandEverySec: number;
}

export interface LoadClientResult {
  latencies: number[];
  lost: number;
  keys: number;
  commands: number;
  failed: string[];
  cpuPct: number;
}

const COMMANDS = ['ls /proc/self/ns | wc -l', 'cat /proc/loadavg', 'hostname', 'id -u', 'ps | wc -l'];

class Learner {
  readonly tracker = new EchoTracker();
  readonly term: WebSocket;
  readonly events: WebSocket;
  private text = '';
  private busyUntilPrompt = false;
  private sinceClear = 0;
  keys = 0;
  commands = 0;
  failed: string | undefined;
  readonly prompt: Promise<void>;

  constructor(wsBase: string, readonly s: { id: string; token: string }) {
    this.term = new WebSocket(`${wsBase}/api/sessions/${s.id}/terminals/shell?token=${s.token}`);
    this.events = new WebSocket(`${wsBase}/api/sessions/${s.id}/events?token=${s.token}`);
    this.events.on('error', () => undefined);
    this.prompt = new Promise((resolve) => {
      const t = setTimeout(() => {
        this.failed = `no prompt after 60 s`;
        resolve();
      }, 60_000);
      this.term.on('message', (raw: Buffer) => {
        const at = performance.now();
        const f = decodeServerFrame(new Uint8Array(raw));
        if (f.type !== 'output') return;
        this.term.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
        if (!this.busyUntilPrompt) this.tracker.received(f.data, at);
        this.text = (this.text + Buffer.from(f.data).toString('latin1')).slice(-256);
        if (this.text.endsWith('# ')) {
          this.busyUntilPrompt = false;
          clearTimeout(t);
          resolve();
        }
      });
      this.term.on('close', (code) => {
        if (!this.failed && code !== 1000 && code !== 1005) this.failed = `terminal closed ${code}`;
        clearTimeout(t);
        resolve();
      });
      this.term.on('error', (e) => {
        this.failed = `terminal error ${e.message}`;
      });
    });
  }

  private send(s: string): void {
    if (this.term.readyState === WebSocket.OPEN) this.term.send(encodeClientFrame({ type: 'input', data: Buffer.from(s) }));
  }

  /** One tick (every 100 ms): a key, unless a command is running or the line needs clearing. */
  tick(now: number, runCommand: boolean): void {
    if (this.failed || this.busyUntilPrompt) return;
    if (runCommand && this.tracker.outstanding === 0) {
      // Erase the typed letters, run a short command, and type again once its prompt is back.
      this.busyUntilPrompt = true;
      this.text = '';
      this.send(`\x15${COMMANDS[this.commands++ % COMMANDS.length]}\r`);
      this.sinceClear = 0;
      return;
    }
    if (this.sinceClear >= 40 && this.tracker.outstanding === 0) {
      this.send('\x15');
      this.sinceClear = 0;
      return;
    }
    this.sinceClear++;
    this.keys++;
    this.send(String.fromCharCode(this.tracker.type(now)));
  }

  close(): void {
    this.term.close();
    this.events.close();
  }
}

async function main(): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin });
  const lines = rl[Symbol.asyncIterator]();
  const input = JSON.parse((await lines.next()).value as string) as LoadClientInput;
  const learners = input.sessions.map((s) => new Learner(input.ws, s));
  await Promise.all(learners.map((l) => l.prompt));
  process.stdout.write('ready\n');
  await lines.next(); // "go"
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Each learner on its own phase of the 100 ms tick, and its own phase of the command period.
  const timers = learners.map((l, i) => {
    const everyTicks = Math.round(input.commandEverySec * 10);
    let n = Math.floor((i * everyTicks) / learners.length);
    return setTimeout(() => {
      const iv = setInterval(() => l.tick(performance.now(), ++n % everyTicks === 0), 100);
      timers[i] = iv;
    }, (i * 100) / learners.length);
  });
  await new Promise((r) => setTimeout(r, input.seconds * 1000));
  for (const t of timers) clearInterval(t);
  const deadline = Date.now() + 5000;
  while (learners.some((l) => !l.failed && l.tracker.outstanding > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const c = process.cpuUsage(cpu0);
  const result: LoadClientResult = {
    latencies: learners.flatMap((l) => l.tracker.latencies),
    lost: learners.reduce((n, l) => n + (l.failed ? 0 : l.tracker.outstanding), 0),
    keys: learners.reduce((n, l) => n + l.keys, 0),
    commands: learners.reduce((n, l) => n + l.commands, 0),
    failed: learners.filter((l) => l.failed).map((l) => `${l.s.id}: ${l.failed}`),
    cpuPct: ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100,
  };
  for (const l of learners) l.close();
  // Exit once the whole line is out (it is larger than a pipe's 64 KiB).
  process.stdout.write(`${JSON.stringify(result)}\n`, () => setTimeout(() => process.exit(0), 200));
}

void main();
