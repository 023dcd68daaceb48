// The pop-out window of the instructor's broadcast (session/broadcast.ts opens it): the read-only
// terminal and the demo sandbox's kernel view, authorized by the learner's own session token from
// the URL's fragment.
import './style.css';
import './session/broadcast.css';
import { $ } from './dom.js';
import { applyI18n, t } from './i18n/index.js';
import { TermView } from './terminal/term-view.js';
import { pageHooks } from './session/page-hooks.js';
import type { CreateSessionResponse } from '../../server/protocol/api.js';
import type { PageContext } from './context.js';
import { mountKernelView } from './kernel/view.js';
import { EventSocket } from './session/events.js';

applyI18n();
document.title = t('bc.docTitle');
const h = new URLSearchParams(location.hash.slice(1));
const sid = h.get('sid') ?? '';
const token = h.get('token') ?? '';
const view = new TermView($('bc-term'), {
  sessionId: sid,
  token,
  name: 'shell',
  path: `/api/sessions/${encodeURIComponent(sid)}/broadcast/terminal`,
  readOnly: true,
  onState: () => undefined,
  onFatal: (_code, reason) => ($('bc-msg').textContent = t('bc.ended', { reason })),
});
pageHooks.terminals.broadcast = view.term;
// The demo's kernel view (its processes, namespaces, cgroups) from its event bus, read-only.
const events = new EventSocket({ id: sid, token } as CreateSessionResponse, undefined, `/api/sessions/${encodeURIComponent(sid)}/broadcast/events`);
mountKernelView($('bc-kv'), { onEvent: (fn) => events.subscribe(fn) } as Pick<PageContext, 'onEvent'> as PageContext);
