// The logger every service takes (pino's signature: the server passes app.log), and a stderr one
// for code that runs without a server (tests that build a sampler alone, the CLI).
export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const line = (obj: unknown, msg: string | undefined) =>
  `isoplay: ${msg ?? ''} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`;

export const stderrLog: Logger = {
  info: () => undefined,
  warn: (obj, msg) => void process.stderr.write(line(obj, msg)),
  error: (obj, msg) => void process.stderr.write(line(obj, msg)),
};
