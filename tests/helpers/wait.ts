// Polls `fn` (sync or async) until it returns a value, or throws after `ms` with what was awaited
// (and, if given, more context, such as a VM's console so far).
export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 3000, what = 'condition', context?: () => string, everyMs = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `; ${context()}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
