// A terminal socket client that decodes frames and acks like the page does (unless told not to).
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientFrame, type TerminalStatus } from '../../server/protocol/frames.js';

export class TermClient {
  readonly ws: WebSocket;
  output = Buffer.alloc(0);
  statuses: TerminalStatus[] = [];
  closed: { code: number; reason: string } | undefined;
  autoAck = true;
  private readonly opened: Promise<void>;

  constructor(url: string, opts: { origin?: string } = {}) {
    this.ws = new WebSocket(url, opts.origin ? { origin: opts.origin } : {});
    this.opened = new Promise((resolve) => this.ws.once('open', () => resolve()));
    this.ws.on('message', (raw: Buffer) => {
      const f = decodeServerFrame(new Uint8Array(raw));
      if (f.type === 'output') {
        this.output = Buffer.concat([this.output, Buffer.from(f.data)]);
        if (this.autoAck) this.ws.send(encodeClientFrame({ type: 'ack', bytes: f.data.length }));
      } else this.statuses.push(f.status);
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('error', () => undefined);
  }

  static for(wsBase: string, s: { id: string; token: string }, name = 'shell'): TermClient {
    return new TermClient(`${wsBase}/api/sessions/${s.id}/terminals/${name}?token=${s.token}`);
  }

  open(): Promise<void> {
    return this.opened;
  }

  text(): string {
    return this.output.toString('utf8');
  }

  type(s: string): void {
    this.ws.send(encodeClientFrame({ type: 'input', data: Buffer.from(s) }));
  }

  async waitFor(pred: (c: TermClient) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output tail: ${JSON.stringify(this.text().slice(-400))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  waitForText(re: RegExp | string, timeoutMs = 10_000): Promise<void> {
    return this.waitFor((c) => (typeof re === 'string' ? c.text().includes(re) : re.test(c.text())), timeoutMs, String(re));
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return this.waitFor((c) => c.closed !== undefined, timeoutMs, 'close');
  }

  close(): void {
    this.ws.close();
  }
}
