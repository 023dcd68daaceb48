// The keys a phone's keyboard lacks, in a bar under the terminal: Ctrl (sticky: it applies to the
// next key typed), Esc, Tab, the arrows and Ctrl+C. They send the real bytes through the terminal's
// own input path, so they are refused while disconnected like any other key.
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';
import { TermView } from './term-view.js';

/** Ctrl with a typed key: Ctrl+A is 0x01 … Ctrl+Z 0x1a, and @ [ \ ] ^ _ around them. */
export function ctrlOf(ch: string): string | undefined {
  const c = ch.toUpperCase().charCodeAt(0);
  return ch.length === 1 && c >= 64 && c <= 95 ? String.fromCharCode(c - 64) : undefined;
}

export function mountExtraKeys(current: () => TermView | undefined): void {
  const bar = $('extra-keys');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', t('layout.keys.label'));
  let ctrl = false;
  const ctrlBtn = document.createElement('button');
  const setCtrl = (on: boolean) => {
    ctrl = on;
    ctrlBtn.setAttribute('aria-pressed', String(on));
    TermView.inputFilter = on
      ? (d) => {
          const c = ctrlOf(d);
          if (c === undefined) return d;
          setCtrl(false);
          return c;
        }
      : undefined;
  };
  const arrow = (k: 'A' | 'B' | 'C' | 'D') => (v: TermView) => (ctrl ? `\x1b[1;5${k}` : v.term.modes.applicationCursorKeysMode ? `\x1bO${k}` : `\x1b[${k}`);
  const keys: { id: string; text: string; label?: string; send?: (v: TermView) => string }[] = [
    { id: 'ctrl', text: 'Ctrl', label: t('layout.keys.ctrl') },
    { id: 'esc', text: 'Esc', send: () => '\x1b' },
    { id: 'tab', text: 'Tab', send: () => '\t' },
    { id: 'left', text: '←', label: t('layout.keys.left'), send: arrow('D') },
    { id: 'up', text: '↑', label: t('layout.keys.up'), send: arrow('A') },
    { id: 'down', text: '↓', label: t('layout.keys.down'), send: arrow('B') },
    { id: 'right', text: '→', label: t('layout.keys.right'), send: arrow('C') },
    { id: 'ctrl-c', text: 'Ctrl+C', label: t('layout.keys.interrupt'), send: () => '\x03' },
  ];
  bar.replaceChildren(
    ...keys.map((k) => {
      const b = k.id === 'ctrl' ? ctrlBtn : document.createElement('button');
      b.className = 'btn xk';
      b.dataset.key = k.id;
      b.textContent = k.text;
      if (k.label) b.title = k.label;
      if (k.label && k.id !== 'ctrl') b.setAttribute('aria-label', `${k.text} ${k.label}`);
      // The terminal keeps the focus (and a phone its keyboard).
      b.addEventListener('pointerdown', (e) => e.preventDefault());
      b.onclick = () => {
        const v = current();
        if (!v) return;
        if (k.send) {
          const bytes = k.send(v);
          setCtrl(false);
          v.sendKeys(bytes);
        } else setCtrl(!ctrl);
        v.focus();
      };
      return b;
    }),
  );
  setCtrl(false);
}
