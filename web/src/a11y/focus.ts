// Keyboard focus for the page: moving it out of a terminal as Tab would (xterm.js keeps Tab for
// the shell's completion), and keeping it in place when a panel re-renders its whole subtree
// (a keyboard user must not be thrown back to the top of the page by a Check or a passed step).

const TABBABLE = 'a[href], button, input, select, textarea, [tabindex]';

/** Elements Tab would visit, in document order (positive tabindex is not used on this page). */
export function tabbables(root: ParentNode = document): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TABBABLE)].filter((e) => {
    if (e.tabIndex < 0 || (e as HTMLButtonElement).disabled || e.closest('[inert], [hidden]')) return false;
    // xterm's own focus target is an off-screen textarea: tabbable, though it has no box of its own.
    return e.classList.contains('xterm-helper-textarea') || e.getClientRects().length > 0;
  });
}

/** Moves focus to the next (1) or previous (-1) tabbable element outside `from`. */
export function focusOutside(from: HTMLElement, dir: 1 | -1): void {
  const all = tabbables();
  const inside = all.filter((e) => from.contains(e));
  const edge = dir === 1 ? inside.at(-1) : inside[0];
  let i = edge ? all.indexOf(edge) : -1;
  for (i += dir; i >= 0 && i < all.length; i += dir) {
    if (!from.contains(all[i])) return all[i].focus();
  }
}

/** Where the focus was inside `root`, as a class and the element's index among those with it. */
export interface FocusMark {
  cls: string;
  index: number;
}

export function markFocus(root: HTMLElement): FocusMark | undefined {
  const a = document.activeElement as HTMLElement | null;
  if (!a || a === root || !root.contains(a)) return undefined;
  const cls = [...a.classList].find((c) => c !== 'btn' && c !== 'btn-primary');
  if (!cls) return undefined;
  return { cls, index: [...root.querySelectorAll(`.${cls}`)].indexOf(a) };
}

/**
 * After `root` was rebuilt: focuses the element that takes the marked one's place, or, when it is
 * gone or disabled, the first of `fallbacks` present (made focusable by script if it is not).
 */
export function restoreFocus(root: HTMLElement, mark: FocusMark | undefined, fallbacks: string[]): void {
  if (!mark) return;
  const same = root.querySelectorAll<HTMLElement>(`.${mark.cls}`)[mark.index];
  if (same && !(same as HTMLButtonElement).disabled && !same.closest('[inert]')) return same.focus();
  for (const sel of fallbacks) {
    const e = root.querySelector<HTMLElement>(sel);
    if (!e || (e as HTMLButtonElement).disabled) continue;
    if (e.tabIndex < 0 && !e.hasAttribute('tabindex')) e.tabIndex = -1;
    return e.focus();
  }
}
