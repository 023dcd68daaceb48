// The session's terminals: one TermView per terminal the session has, a tab for each (the tab
// row shows only when there are two or more), and which one is in view. Owns the TermViews it
// made and disposes them when the session changes.
import type { CreateSessionResponse } from '../../../server/protocol/api.js';
import { TermView, type TermViewOptions } from '../terminal/term-view.js';
import { pageHooks } from './page-hooks.js';
import { termFontSize } from './presenter.js';

/** What a terminal reports to the page: its connection state, and a close that will not reconnect. */
export type TerminalEvents = Pick<TermViewOptions, 'onState' | 'onFatal' | 'onInput'>;

export class TerminalTabs {
  private views: TermView[] = [];
  private session: CreateSessionResponse | undefined;
  private events: TerminalEvents | undefined;
  private readonly plus: HTMLButtonElement;

  /** `onAdd` asks the server for another terminal (the `+` tab); it resolves with its name and title. */
  constructor(
    private readonly tabsEl: HTMLElement,
    private readonly boxEl: HTMLElement,
    private readonly onAdd: () => Promise<{ name: string; title: string } | undefined>,
  ) {
    this.plus = document.createElement('button');
    this.plus.className = 'tab tab-add';
    this.plus.textContent = '+';
    this.plus.title = 'Open another terminal in this sandbox';
    this.plus.setAttribute('aria-label', 'Open another terminal');
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
    this.tabsEl.replaceChildren(this.plus);
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
    this.boxEl.append(el);
    const tab = document.createElement('button');
    tab.className = 'tab';
    tab.textContent = title ?? name;
    tab.dataset.terminal = name;
    tab.setAttribute('aria-selected', 'false');
    tab.onclick = () => this.select(name);
    this.tabsEl.insertBefore(tab, this.plus);
    const view = new TermView(el, { sessionId: s.id, token: s.token, name, ...this.events! });
    view.setFontSize(termFontSize());
    this.views.push(view);
    pageHooks.terminals[name] = view.term;
    return view;
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
