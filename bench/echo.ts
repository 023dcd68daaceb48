// Times each key typed into a shell to its echo (the bookkeeping of `bench --only attacks`; pure,
// tested in tests/unit/bench-echo.test.ts). Keys are lowercase letters in turn, and echoes come
// back in the order the keys were typed, so each received byte that equals the oldest key still
// waiting is that key's echo. Nothing else reaches an idle prompt: readline's cursor and erase
// sequences (Ctrl-U) are control bytes, digits, `[` and capitals, never a lowercase letter.

export class EchoTracker {
  private readonly pending: { key: number; at: number }[] = [];
  readonly latencies: number[] = [];
  /** When each measured key was typed (the `at` given to type()), beside its latency. */
  readonly typedAt: number[] = [];
  private typed = 0;

  /** The next key to type, noted as sent at `at` (ms). */
  type(at: number): number {
    const key = 0x61 + (this.typed++ % 26);
    this.pending.push({ key, at });
    return key;
  }

  /** Output bytes that arrived at `at` (ms). */
  received(data: Uint8Array, at: number): void {
    for (const b of data) {
      const head = this.pending[0];
      if (head && b === head.key) {
        this.latencies.push(at - head.at);
        this.typedAt.push(head.at);
        this.pending.shift();
      }
    }
  }

  /** Keys typed whose echo has not arrived (yet). */
  get outstanding(): number {
    return this.pending.length;
  }

  /** Forgets what is outstanding and what was measured (a new phase). */
  reset(): void {
    this.pending.length = 0;
    this.latencies.length = 0;
    this.typedAt.length = 0;
  }
}
