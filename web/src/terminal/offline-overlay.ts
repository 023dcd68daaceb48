// What a terminal shows while its socket is down: the terminal dimmed under "Reconnecting…" with
// a countdown to the next try, and a notice when the learner types (the keys are not sent).
import { esc } from '../dom.js';
import { t } from '../i18n/index.js';
import './offline-overlay.css';

export class OfflineOverlay {
  private box: HTMLElement | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: HTMLElement) {}

  /** The connection is down; the next try is in `ms`. */
  show(ms: number): void {
    const el = this.ensure();
    const at = Date.now() + ms;
    const line = el.querySelector<HTMLElement>('.term-overlay-count')!;
    const tick = () => {
      const s = Math.ceil((at - Date.now()) / 1000);
      line.textContent = s > 0 ? t('offline.reconnectingIn', { s }) : t('offline.reconnecting');
    };
    clearInterval(this.timer);
    tick();
    this.timer = setInterval(tick, 250);
  }

  /** Typed while down: said, and the overlay stays until the connection is back. */
  refuse(): void {
    const el = this.ensure();
    const n = el.querySelector<HTMLElement>('.term-overlay-refused')!;
    n.hidden = false;
    n.textContent = t('offline.refused');
  }

  hide(): void {
    clearInterval(this.timer);
    this.box?.remove();
    this.box = undefined;
    this.host.classList.remove('term-offline');
  }

  private ensure(): HTMLElement {
    if (this.box) return this.box;
    this.host.classList.add('term-offline');
    const box = document.createElement('div');
    box.className = 'term-overlay';
    box.setAttribute('role', 'status');
    box.innerHTML = `<div class="term-overlay-box"><div><b>${esc(t('offline.disconnected'))}</b> <span class="term-overlay-count">${esc(t('offline.reconnecting'))}</span></div><div class="term-overlay-refused" hidden></div></div>`;
    this.host.append(box);
    this.box = box;
    return box;
  }
}
