// Entry of the kernel view's worker thread. Worker threads load plain JavaScript, and the server
// runs its TypeScript through tsx (npm start, the Dockerfile, vitest's own transform in tests), so
// this file loads the thread's TypeScript body through tsx's API, whatever started the process.
import { tsImport } from 'tsx/esm/api';

await tsImport('./sample-thread.ts', import.meta.url);
