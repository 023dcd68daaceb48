// The body of the kernel view's one worker thread: every /proc and cgroupfs read of every session's
// sampler happens here, one request at a time, so no read (a slow cgroupfs walk, a cmdline read
// waiting on a process's mmap lock) ever delays the event loop that serves terminals. It only
// reads: processes are spawned on the main thread, because PR_SET_PDEATHSIG fires when the spawning
// thread exits. Started by sample-thread-entry.mjs; spoken to by sample-worker.ts.
import { parentPort } from 'node:worker_threads';
import { readBounded, readHostKernel, runPass, type PassPlan, type PassState } from './sample-pass.js';
import type { WorkerBatch, WorkerBatchReply, WorkerNotice, WorkerReply, WorkerRequest } from './sample-worker.js';

const port = parentPort;
if (!port) throw new Error('sample-thread.ts runs as a worker thread (see sample-worker.ts)');

/** Per session: its plan, and what its last pass saw (for the idle skip and to send lists only when they change). */
const sessions = new Map<string, { plan: PassPlan; state: PassState }>();

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  switch (req.kind) {
    case 'base':
      return {
        id: req.id,
        kind: 'base',
        uidMap: readBounded(`${req.procRoot}/${req.initPid}/uid_map`, 4096) ?? '',
        host: readHostKernel(req.procRoot),
      };
    case 'pass': {
      const s = sessions.get(req.session);
      if (!s) throw new Error(`no plan for session ${req.session}`);
      return { id: req.id, kind: 'pass', result: await runPass(s.plan, s.state, req.full) };
    }
  }
}

// Requests are handled strictly one after another: one read in flight for the whole server. A batch
// is answered as a whole; notices take effect in order with batches (a plan before the passes that use it).
let queue = Promise.resolve();
port.on('message', (msg: WorkerBatch | WorkerNotice) => {
  queue = queue.then(async () => {
    if (msg.kind === 'open') sessions.set(msg.plan.session, { plan: msg.plan, state: {} });
    else if (msg.kind === 'forget') sessions.delete(msg.session);
    else {
      const replies: WorkerReply[] = [];
      for (const req of msg.requests) {
        try {
          replies.push(await handle(req));
        } catch (e) {
          // One session's failure is its own: the others of the batch are still answered.
          const err = e as Error;
          replies.push({ id: req.id, kind: 'error', message: err.stack ?? String(err) });
        }
      }
      port.postMessage({ kind: 'batch', replies } satisfies WorkerBatchReply);
    }
  });
});
