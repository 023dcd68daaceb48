// The screen-reader switch: turns on xterm.js's screen-reader mode in every terminal (an
// accessibility tree of the rows that a screen reader can read, and new output announced),
// remembered in this browser. Off by default: it costs rendering time that sighted users do not need.
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';

const SR_KEY = 'isoplay.screenReader';

export const screenReaderOn = (): boolean => localStorage.getItem(SR_KEY) === '1';

/** Wires the switch (a toggle button with aria-pressed); `apply` sets the mode on the terminals. */
export function mountScreenReaderSwitch(apply: (on: boolean) => void): void {
  const b = $('sr-mode');
  const set = (on: boolean) => {
    b.setAttribute('aria-pressed', String(on));
    b.textContent = t(on ? 'sr.on' : 'sr.off');
    localStorage.setItem(SR_KEY, on ? '1' : '0');
    apply(on);
  };
  b.onclick = () => set(!screenReaderOn());
  set(screenReaderOn());
}
