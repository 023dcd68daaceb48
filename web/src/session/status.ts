// The page's two status surfaces: the banner under the top bar (errors, and notices such as an
// instructor's announcement) and the connection chip in the top bar.
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';

let bannerTimer: ReturnType<typeof setTimeout> | undefined;
/** How long a banner stays in the presenter view (it covers what the room is looking at). */
export const PRESENTER_BANNER_MS = 6000;

/** Shows a banner, or hides it with undefined. In the presenter view it hides itself after a few seconds. */
export function showBanner(text: string | undefined, kind: 'error' | 'info' = 'error'): void {
  const b = $('banner');
  b.hidden = !text;
  clearTimeout(bannerTimer);
  if (text && document.body.classList.contains('presenter')) bannerTimer = setTimeout(() => (b.hidden = true), PRESENTER_BANNER_MS);
  // Errors interrupt a screen reader; notices wait for a pause.
  b.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
  b.textContent = text ?? '';
  b.dataset.kind = kind;
}

/** The terminals' connection state, as the last terminal to report it saw it. */
export function setConn(state: 'connecting' | 'open' | 'closed', detail?: string): void {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = state === 'open' ? t('conn.connected') : state === 'connecting' ? t('conn.connecting') : detail ? t('conn.disconnectedWhy', { detail }) : t('conn.disconnected');
}
