// What the page exposes on window.__isoplay: the xterm instances by terminal name and the current
// session. The browser tests (tests/e2e) read them; the page itself never does.
import type { Terminal } from '@xterm/xterm';
import type { CreateSessionResponse } from '../../../server/protocol/api.js';

declare global {
  interface Window {
    __isoplay: { terminals: Record<string, Terminal>; session?: CreateSessionResponse };
  }
}

export const pageHooks: Window['__isoplay'] = (window.__isoplay = { terminals: {} });
