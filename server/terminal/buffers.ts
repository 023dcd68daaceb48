// Pure pieces of the terminal: the scrollback ring and the flow-control window (unit-tested).

/** Keeps the last `capacity` bytes of output, as a list of chunks. */
export class ScrollbackRing {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length >= this.capacity) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.capacity))];
      this.bytes = this.capacity;
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > this.capacity) {
      const first = this.chunks[0];
      const excess = this.bytes - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.bytes -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.bytes -= excess;
      }
    }
  }

  contents(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.bytes)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}

/**
 * Bytes sent minus bytes acknowledged. Pause above the high watermark, resume below the low one
 * (hysteresis, so a steady stream does not flap).
 */
export class FlowWindow {
  private sentBytes = 0;
  private ackedBytes = 0;

  constructor(
    readonly high: number,
    readonly low: number,
  ) {}

  get inFlight(): number {
    return this.sentBytes - this.ackedBytes;
  }

  sent(n: number): void {
    this.sentBytes += n;
  }

  ack(n: number): void {
    this.ackedBytes = Math.min(this.sentBytes, this.ackedBytes + n);
  }

  reset(): void {
    this.sentBytes = 0;
    this.ackedBytes = 0;
  }

  shouldPause(currentlyPaused: boolean): boolean {
    return currentlyPaused ? this.inFlight > this.low : this.inFlight > this.high;
  }
}
