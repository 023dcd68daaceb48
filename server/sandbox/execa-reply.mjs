// What one execa run answers, in the shape the spawner's IPC carries: shared by the helper
// (spawner-child.mjs) and by exec.ts's in-process path (ISOPLAY_SPAWNER=off), so both report a
// command alike. Plain JavaScript, so the helper loads it without a TypeScript loader.

/** @param {import('execa').Result} r @param {number} id */
export function replyOf(r, id) {
  return {
    id,
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: Boolean(r.timedOut),
    failed: Boolean(r.failed),
    code: r.code,
    message: r.originalMessage ?? r.shortMessage,
  };
}
