// The page's two status surfaces: the banner under the top bar (errors, and notices such as an
// instructor's announcement) and the connection chip in the top bar.
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';

/** Shows a banner, or hides it with undefined. */
export function showBanner(text: string | undefined, kind: 'error' | 'info' = 'error'): void {
  const b = $('banner');
  b.hidden = !text;
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
