// The page's columns: lab steps, terminals, kernel view. A splitter between each side panel and the
// terminals (drag it, or focus it and use the arrow keys) sets the panel's width; a button on it
// collapses the panel to a tab at the window's edge. Widths and choices are remembered in this
// browser. The terminals keep at least 80 columns: when the window is too narrow the kernel view
// collapses to its tab first, then the lab steps narrow, then they collapse too. A phone shows one
// panel at a time, with tabs at the top. In the presenter view, focus mode shows the terminals and
// one panel (the other one's tab swaps them).
import { $ } from '../dom.js';
import { t } from '../i18n/index.js';
import { termFontSize } from './presenter.js';

export type Side = 'lab' | 'kv';
type PhonePanel = 'lab' | 'term' | 'kv';
interface Saved {
  /** Only the widths the learner set; the others follow the window (see defaultWidth). */
  width: Partial<Record<Side, number>>;
  open: Record<Side, boolean>;
  focusMode: boolean;
  focus: Side;
  phone: PhonePanel;
}

const KEY = 'isoplay.layout';
const SIDES: Side[] = ['lab', 'kv'];
const MIN: Record<Side, number> = { lab: 200, kv: 260 };
const MAX = 720;
const GUTTER = 14; // px: an open panel's splitter
const RAIL = 32; // px: a collapsed panel's tab
const MIN_COLS = 80;
const PHONE = matchMedia('(max-width: 700px)');
const DEFAULTS: Saved = { width: {}, open: { lab: true, kv: true }, focusMode: false, focus: 'lab', phone: 'lab' };

/** A panel's width until the learner sets one: roomier on a big screen, 80 columns left on a laptop. */
const defaultWidth = (side: Side): number => (window.innerWidth >= 1600 ? { lab: 360, kv: 440 } : { lab: 290, kv: 330 })[side];

function load(): Saved {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Saved>;
    return { ...DEFAULTS, ...s, width: { ...DEFAULTS.width, ...s.width }, open: { ...DEFAULTS.open, ...s.open } };
  } catch {
    return structuredClone(DEFAULTS);
  }
}

/** Width in px of one terminal cell at `px` (the terminals' font, as xterm measures it). */
function cellWidth(px: number): number {
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.font = `${px}px "DejaVu Sans Mono", "Cascadia Mono", Menlo, monospace`;
  return ctx.measureText('W'.repeat(40)).width / 40;
}

export interface Layout {
  /** Lays the columns out again (the font size or the presenter view changed). */
  refresh(): void;
}

export function mountLayout(): Layout {
  const state = load();
  const layout = $('layout');
  /** Panels the learner opened although the window is narrow: stays until the window is resized. */
  const override: Record<Side, boolean> = { lab: false, kv: false };
  const shown: Record<Side, boolean> = { lab: true, kv: true };
  const save = () => localStorage.setItem(KEY, JSON.stringify(state));
  const names: Record<Side, { panel: string; tab: string }> = {
    lab: { panel: 'lab-panel', tab: t('layout.tab.lab') },
    kv: { panel: 'kernel-view', tab: t('layout.tab.kv') },
  };
  const presenter = () => document.body.classList.contains('presenter');
  /** The presenter view zooms the panels' contents by 1.25 (style.css): their widths follow. */
  const scale = () => (presenter() ? 1.25 : 1);

  // Each side's gutter: the splitter and the collapse / restore button.
  const parts = {} as Record<Side, { splitter: HTMLElement; toggle: HTMLButtonElement }>;
  for (const side of SIDES) {
    const gutter = $(`gutter-${side}`);
    const splitter = document.createElement('div');
    splitter.className = 'splitter';
    splitter.tabIndex = 0;
    splitter.setAttribute('role', 'separator');
    splitter.setAttribute('aria-orientation', 'vertical');
    splitter.setAttribute('aria-controls', names[side].panel);
    splitter.setAttribute('aria-label', t(side === 'lab' ? 'layout.resize.lab' : 'layout.resize.kv'));
    splitter.setAttribute('aria-valuemin', String(MIN[side]));
    splitter.setAttribute('aria-valuemax', String(MAX));
    splitter.title = t('layout.resize.hint');
    const toggle = document.createElement('button');
    toggle.className = 'panel-toggle';
    toggle.setAttribute('aria-controls', names[side].panel);
    gutter.replaceChildren(splitter, toggle);
    parts[side] = { splitter, toggle };

    toggle.onclick = () => {
      if (shown[side]) {
        state.open[side] = false;
        override[side] = false;
      } else if (presenter() && state.focusMode && state.focus !== side) {
        state.focus = side; // focus mode: the other panel takes this one's place
        state.open[side] = true;
      } else {
        state.open[side] = true;
        override[side] = true; // the learner asked for it, even if the terminal gets narrower
      }
      save();
      apply();
    };

    const setWidth = (w: number) => {
      state.width[side] = Math.round(Math.min(MAX, Math.max(MIN[side], w / scale())));
      apply();
    };
    // Drag: the panel's edge follows the pointer.
    splitter.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      ev.preventDefault();
      splitter.setPointerCapture(ev.pointerId);
      splitter.classList.add('dragging');
      const box = layout.getBoundingClientRect();
      const move = (e: PointerEvent) => setWidth(side === 'lab' ? e.clientX - box.left : box.right - e.clientX);
      const up = () => {
        splitter.removeEventListener('pointermove', move);
        splitter.classList.remove('dragging');
        save();
      };
      splitter.addEventListener('pointermove', move);
      splitter.addEventListener('pointerup', up, { once: true });
      splitter.addEventListener('lostpointercapture', up, { once: true });
    });
    // Keys: arrows move the edge (Shift: further), Home/End to the narrowest and widest, Enter collapses.
    splitter.addEventListener('keydown', (ev) => {
      const step = ev.shiftKey ? 64 : 16;
      const grow = side === 'lab' ? 'ArrowRight' : 'ArrowLeft';
      const shrink = side === 'lab' ? 'ArrowLeft' : 'ArrowRight';
      const w = (state.width[side] ?? defaultWidth(side)) * scale();
      const to = ev.key === grow ? w + step : ev.key === shrink ? w - step : ev.key === 'Home' ? MIN[side] : ev.key === 'End' ? MAX : undefined;
      if (ev.key === 'Enter') {
        ev.preventDefault();
        toggle.click();
        toggle.focus();
        return;
      }
      if (to === undefined) return;
      ev.preventDefault();
      setWidth(to);
      save();
    });
  }

  // A phone: one panel at a time, chosen with tabs.
  const phoneTabs = $('phone-tabs');
  phoneTabs.setAttribute('role', 'tablist');
  phoneTabs.setAttribute('aria-label', t('layout.phone.label'));
  const phoneChoices: { id: PhonePanel; label: string; controls: string }[] = [
    { id: 'lab', label: t('layout.phone.lab'), controls: 'lab-panel' },
    { id: 'term', label: t('layout.phone.term'), controls: 'term-col' },
    { id: 'kv', label: t('layout.phone.kv'), controls: 'kernel-view' },
  ];
  const phoneButtons = phoneChoices.map((c) => {
    const b = document.createElement('button');
    b.className = 'phone-tab';
    b.dataset.panel = c.id;
    b.textContent = c.label;
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-controls', c.controls);
    b.onclick = () => {
      state.phone = c.id;
      save();
      apply();
    };
    return b;
  });
  phoneTabs.replaceChildren(...phoneButtons);
  phoneTabs.onkeydown = (ev) => {
    const i = phoneChoices.findIndex((c) => c.id === state.phone);
    const to = ev.key === 'ArrowRight' ? (i + 1) % 3 : ev.key === 'ArrowLeft' ? (i + 2) % 3 : -1;
    if (to < 0) return;
    ev.preventDefault();
    phoneButtons[to].click();
    phoneButtons[to].focus();
  };

  // A Run button on a phone: show the terminal it types into.
  $('lab-panel').addEventListener('click', (ev) => {
    if (!PHONE.matches || !(ev.target as Element).closest('.lab-run')) return;
    state.phone = 'term';
    save();
    apply();
  });

  // Presenter view's focus mode.
  const focusBtn = $('focus-mode') as HTMLButtonElement;
  focusBtn.textContent = t('layout.focus');
  focusBtn.title = t('layout.focus.hint');
  focusBtn.onclick = () => {
    state.focusMode = !state.focusMode;
    save();
    apply();
  };

  function apply(): void {
    const phone = PHONE.matches;
    const focusing = presenter() && state.focusMode;
    focusBtn.hidden = !presenter();
    focusBtn.setAttribute('aria-pressed', String(focusing));
    document.body.dataset.panel = state.phone;
    for (const b of phoneButtons) {
      const on = b.dataset.panel === state.phone;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    const wanted: Record<Side, boolean> = { lab: state.open.lab && (!focusing || state.focus === 'lab'), kv: state.open.kv && (!focusing || state.focus === 'kv') };
    const base = { lab: state.width.lab ?? defaultWidth('lab'), kv: state.width.kv ?? defaultWidth('kv') };
    const width = { lab: Math.round(base.lab * scale()), kv: Math.round(base.kv * scale()) };
    const auto: Record<Side, boolean> = { lab: false, kv: false };
    // A panel the learner opened in a narrow window: their choice, nothing else moves.
    if (!phone && !override.lab && !override.kv) {
      // 80 columns of the terminals' font, its padding (8 px a side) and the scrollbar (14 px).
      const need = Math.ceil(MIN_COLS * cellWidth(termFontSize()) + 16 + 14 + 8);
      const termWidth = () => layout.clientWidth - SIDES.reduce((sum, s) => sum + (wanted[s] && !auto[s] ? width[s] + GUTTER : RAIL), 0);
      // First the presenter view's wider panels give back what they took, then the kernel view collapses.
      const extra = SIDES.reduce((sum, s) => sum + (wanted[s] ? width[s] - base[s] : 0), 0);
      if (termWidth() < need && extra > 0) {
        const cut = Math.min(extra, need - termWidth());
        for (const s of SIDES) if (wanted[s]) width[s] -= Math.ceil((cut * (width[s] - base[s])) / extra);
      }
      if (termWidth() < need && wanted.kv) auto.kv = true;
      if (termWidth() < need && wanted.lab) {
        width.lab = Math.max(MIN.lab, width.lab - (need - termWidth()));
        if (termWidth() < need) auto.lab = true;
      }
    }
    for (const side of SIDES) {
      const on = wanted[side] && !auto[side];
      shown[side] = on;
      layout.dataset[side] = on ? 'open' : 'closed';
      layout.style.setProperty(`--${side}-w`, on ? `${width[side]}px` : '0px');
      layout.style.setProperty(`--${side}-g`, `${on ? GUTTER : RAIL}px`);
      const { splitter, toggle } = parts[side];
      splitter.hidden = !on;
      splitter.setAttribute('aria-valuenow', String(width[side]));
      toggle.setAttribute('aria-expanded', String(on));
      toggle.dataset.auto = String(auto[side]);
      if (on) {
        toggle.textContent = side === 'lab' ? '‹' : '›';
        toggle.setAttribute('aria-label', t(side === 'lab' ? 'layout.hide.lab' : 'layout.hide.kv'));
        toggle.title = toggle.getAttribute('aria-label')!;
      } else {
        toggle.textContent = names[side].tab;
        toggle.removeAttribute('aria-label');
        toggle.title = t(auto[side] ? 'layout.show.narrow' : side === 'lab' ? 'layout.show.lab' : 'layout.show.kv');
      }
    }
  }

  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    // A new window width: the automatic choice applies again.
    if (window.innerWidth !== lastWidth) override.lab = override.kv = false;
    lastWidth = window.innerWidth;
    apply();
  });
  apply();
  return { refresh: apply };
}
