// The instructor's live demo: a sandbox of the instructor's own in the dashboard, broadcast
// read-only to every learner of the workshop (their pages show it in a side pane). Stopping ends
// the broadcast and the sandbox.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import { api, ApiError } from '../api.js';
import { $, esc } from '../dom.js';
import { t } from '../i18n/index.js';
import { TermView } from '../terminal/term-view.js';
import { pageHooks } from '../session/page-hooks.js';

let demo: { session: CreateSessionResponse; view: TermView } | undefined;

/** The "Live demo" card: a button that starts (and stops) the broadcast, and the demo terminal. */
export function mountBroadcast(host: HTMLElement, wid: string, key: string): void {
  const card = document.createElement('section');
  card.className = 'ws-card ws-demo';
  card.setAttribute('aria-labelledby', 'ws-demo-h');
  card.innerHTML = `<div class="ws-follow-head"><h2 id="ws-demo-h">${esc(t('bcast.h'))}</h2><span class="spacer"></span>
    <button class="btn" id="ws-demo-btn" aria-pressed="false">${esc(t('bcast.start'))}</button></div>
    <p class="ws-muted" id="ws-demo-state" role="status" aria-live="polite">${esc(t('bcast.intro'))}</p>
    <div class="ws-demo-term" id="ws-demo-term" hidden></div>`;
  host.append(card);
  const btn = $('ws-demo-btn') as HTMLButtonElement;
  const say = (text: string) => ($('ws-demo-state').textContent = text);
  const stop = async () => {
    const d = demo;
    demo = undefined;
    btn.setAttribute('aria-pressed', 'false');
    btn.textContent = t('bcast.start');
    $('ws-demo-term').hidden = true;
    if (!d) return;
    await api('POST', `/api/workshops/${encodeURIComponent(wid)}/broadcast`, { sessionId: null }, key).catch(() => undefined);
    d.view.dispose();
    await api('DELETE', `/api/sessions/${d.session.id}`, undefined, d.session.token).catch(() => undefined);
    say(t('bcast.stopped'));
  };
  btn.onclick = async () => {
    if (demo) return void stop();
    btn.disabled = true;
    say(t('bcast.starting'));
    try {
      const session = await api<CreateSessionResponse>('POST', '/api/sessions', {});
      $('ws-demo-term').hidden = false;
      let announced = false;
      const view = new TermView($('ws-demo-term'), {
        sessionId: session.id,
        token: session.token,
        name: 'shell',
        onState: (s) => {
          // Broadcast once the shell runs (the learners' viewers attach to it).
          if (s !== 'open' || announced) return;
          announced = true;
          void api<{ delivered: number }>('POST', `/api/workshops/${encodeURIComponent(wid)}/broadcast`, { sessionId: session.id, token: session.token }, key)
            .then((r) => say(t(r.delivered === 1 ? 'bcast.live.one' : 'bcast.live.other', { n: r.delivered })))
            .catch((e: ApiError) => say(e.message));
        },
        onFatal: (_c, reason) => {
          say(reason);
          void stop();
        },
      });
      demo = { session, view };
      pageHooks.terminals.demo = view.term;
      btn.setAttribute('aria-pressed', 'true');
      btn.textContent = t('bcast.stop');
      view.focus();
    } catch (e) {
      say((e as ApiError).message);
    } finally {
      btn.disabled = false;
    }
  };
}
