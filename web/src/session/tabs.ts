// The session's terminals: one TermView per terminal the session has, a tab for each (the tab
// row shows only when there are two or more), and which one is in view. Owns the TermViews it
// made and disposes them when the session changes.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import { screenReaderOn } from '../a11y/screen-reader.js';
import { TermView, type TermViewOptions } from '../terminal/term-view.js';
import { t } from '../i18n/index.js';
import { pageHooks } from './page-hooks.js';
import { termFontSize } from './presenter.js';

/** What a terminal reports to the page: its connection state, and a close that will not reconnect. */
export type TerminalEvents = Pick<TermViewOptions, 'onState' | 'onFatal' | 'onInput' | 'onKeyboard'>;

export class TerminalTabs {
  private views: TermView[] = [];
  private session: CreateSessionResponse | undefined;
  private events: TerminalEvents | undefined;
  private readonly plus: HTMLButtonElement;
  /** The tabs themselves (role tablist); the `+` button sits beside it, not in it. */
  private readonly list: HTMLElement;

  /** `onAdd` asks the server for another terminal (the `+` tab); it resolves with its name and title. */
  constructor(
    private readonly tabsEl: HTMLElement,
    private readonly boxEl: HTMLElement,
    private readonly onAdd: () => Promise<{ name: string; title: string } | undefined>,
  ) {
    this.list = document.createElement('div');
    this.list.className = 'tab-list';
    this.list.setAttribute('role', 'tablist');
    this.list.setAttribute('aria-label', t('layout.terminals'));
    // Arrow keys move between tabs (one tab stop for the row, as in any tab list).
    this.list.onkeydown = (ev) => {
      const tabs = [...this.list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
      const i = tabs.indexOf(document.activeElement as HTMLButtonElement);
      if (i < 0) return;
      const to = ev.key === 'ArrowRight' ? (i + 1) % tabs.length : ev.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : ev.key === 'Home' ? 0 : ev.key === 'End' ? tabs.length - 1 : -1;
      if (to < 0) return;
      ev.preventDefault();
      this.select(tabs[to].dataset.terminal!, false);
      tabs[to].focus();
    };
    this.plus = document.createElement('button');
    this.plus.className = 'tab tab-add';
    this.plus.textContent = '+';
    this.plus.title = t('tabs.add.title');
    this.plus.setAttribute('aria-label', t('tabs.add.label'));
    this.plus.onclick = () =>
      void this.onAdd().then((t) => {
        if (t) this.select(this.add(t.name, t.title).el.dataset.terminal!);
      });
  }

  /** Replaces the terminals with the session's; the first one is in view and focused. */
  mount(s: CreateSessionResponse, events: TerminalEvents): void {
    this.clear();
    this.session = s;
    this.events = events;
    pageHooks.terminals = {};
    this.list.replaceChildren();
    this.tabsEl.replaceChildren(this.list, this.plus);
    this.boxEl.replaceChildren();
    s.terminals.forEach(({ name, title }) => this.add(name, title));
    this.select(s.terminals[0]?.name ?? '');
  }

  /** A tab and a terminal view for `name` (not brought into view). */
  add(name: string, title?: string): TermView {
    const s = this.session!;
    const el = document.createElement('div');
    el.className = 'term';
    el.dataset.terminal = name;
    el.hidden = true;
    el.id = `term-${name}`;
    el.setAttribute('role', 'tabpanel');
    el.setAttribute('aria-labelledby', `tab-${name}`);
    this.boxEl.append(el);
    const tab = document.createElement('button');
    tab.className = 'tab';
    tab.id = `tab-${name}`;
    tab.textContent = title ?? name;
    tab.dataset.terminal = name;
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-controls', el.id);
    tab.setAttribute('aria-selected', 'false');
    tab.tabIndex = -1;
    tab.onclick = () => this.select(name);
    this.list.append(tab);
    const view = new TermView(el, { sessionId: s.id, token: s.token, name, screenReader: screenReaderOn(), ...this.events! });
    view.setFontSize(termFontSize());
    this.views.push(view);
    pageHooks.terminals[name] = view.term;
    return view;
  }

  /** Brings a terminal into view and focuses it (unless `focus` is false); undefined if the session has no such terminal. */
  select(name: string, focus = true): TermView | undefined {
    let found: TermView | undefined;
    for (const v of this.views) {
      const on = v.el.dataset.terminal === name;
      v.el.hidden = !on;
      if (on) found = v;
    }
    for (const t of this.list.querySelectorAll<HTMLButtonElement>('.tab')) {
      t.setAttribute('aria-selected', String(t.dataset.terminal === name));
      t.tabIndex = t.dataset.terminal === name ? 0 : -1;
    }
    found?.refit();
    if (focus) found?.focus();
    return found;
  }

  /** The terminal in view (the extra keys go to it). */
  current(): TermView | undefined {
    return this.views.find((v) => !v.el.hidden);
  }

  setScreenReader(on: boolean): void {
    for (const v of this.views) v.setScreenReader(on);
  }

  setFontSize(px: number): void {
    for (const v of this.views) v.setFontSize(px);
  }

  /** Disposes the terminals (their sockets close normally); the elements stay until the next mount. */
  clear(): void {
    for (const v of this.views) v.dispose();
    this.views = [];
  }
}
