// Presenter view: bigger text everywhere for a projector, remembered in this browser. The body's
// `presenter` class is the state; the terminals follow through the callback.
import { $ } from '../dom.js';

const PRESENT_KEY = 'isoplay.presenter';

/** The terminals' font size in px for the current view. */
export const termFontSize = (): number => (document.body.classList.contains('presenter') ? 20 : 14);

/** Wires the Presenter view button and applies the remembered choice. */
export function mountPresenter(onFontSize: (px: number) => void): void {
  const set = (on: boolean) => {
    document.body.classList.toggle('presenter', on);
    $('present').setAttribute('aria-pressed', String(on));
    localStorage.setItem(PRESENT_KEY, on ? '1' : '0');
    onFontSize(termFontSize());
  };
  $('present').onclick = () => set(!document.body.classList.contains('presenter'));
  set(localStorage.getItem(PRESENT_KEY) === '1');
}
