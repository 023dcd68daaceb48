// The session's terminals: one TermView per terminal the session has, a tab for each (the tab
// row shows only when there are two or more), and which one is in view. Owns the TermViews it
// made and disposes them when the session changes.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import { TermView, type TermViewOptions } from '../terminal/term-view.js';
import { pageHooks } from './page-hooks.js';
import { termFontSize } from './presenter.js';

/** What a terminal reports to the page: its connection state, and a close that will not reconnect. */
export type TerminalEvents = Pick<TermViewOptions, 'onState' | 'onFatal'>;

export class TerminalTabs {
  private views: TermView[] = [];

  constructor(
    private readonly tabsEl: HTMLElement,
    private readonly boxEl: HTMLElement,
  ) {}

  /** Replaces the terminals with the session's; the first one is in view and focused. */
  mount(s: CreateSessionResponse, events: TerminalEvents): void {
    this.clear();
    pageHooks.terminals = {};
    this.tabsEl.replaceChildren();
    this.boxEl.replaceChildren();
    s.terminals.forEach(({ name, title }, i) => {
      const el = document.createElement('div');
      el.className = 'term';
      el.dataset.terminal = name;
      el.hidden = i !== 0;
      this.boxEl.append(el);
      const tab = document.createElement('button');
      tab.className = 'tab';
      tab.textContent = title ?? name;
      tab.dataset.terminal = name;
      tab.setAttribute('aria-selected', String(i === 0));
      tab.onclick = () => this.select(name);
      this.tabsEl.append(tab);
      const view = new TermView(el, { sessionId: s.id, token: s.token, name, ...events });
      view.setFontSize(termFontSize());
      this.views.push(view);
      pageHooks.terminals[name] = view.term;
    });
    this.tabsEl.hidden = s.terminals.length < 2;
    this.views[0]?.focus();
  }

  /** Brings a terminal into view and focuses it; undefined if the session has no such terminal. */
  select(name: string): TermView | undefined {
    let found: TermView | undefined;
    for (const v of this.views) {
      const on = v.el.dataset.terminal === name;
      v.el.hidden = !on;
      if (on) found = v;
    }
    for (const t of this.tabsEl.querySelectorAll<HTMLButtonElement>('.tab')) t.setAttribute('aria-selected', String(t.dataset.terminal === name));
    found?.refit();
    found?.focus();
    return found;
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
