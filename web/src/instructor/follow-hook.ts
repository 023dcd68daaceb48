// "Open" on a help request (or a heatmap row) calls openFollow(sessionId): it scrolls to that
// learner's heatmap row and highlights it, and opens the follow view of their terminals
// (instructor/follow.ts) through the opener the dashboard registers once it knows its workshop.
const HIGHLIGHT_MS = 4000;

let opener: ((sessionId: string) => void) | undefined;

/** The dashboard's way to follow a learner (set when the workshop's dashboard is mounted). */
export function setFollowOpener(fn: (sessionId: string) => void): void {
  opener = fn;
}

export function openFollow(sessionId: string): void {
  const row = document.querySelector<HTMLElement>(`tr[data-session="${CSS.escape(sessionId)}"]`);
  if (row) {
    row.scrollIntoView({ block: 'center', behavior: 'smooth' });
    row.classList.add('hm-highlight');
    window.setTimeout(() => row.classList.remove('hm-highlight'), HIGHLIGHT_MS);
  }
  if (opener) {
    opener(sessionId);
    return;
  }
  const head = row?.querySelector<HTMLElement>('th');
  if (head) {
    head.tabIndex = -1;
    head.focus({ preventScroll: true });
  }
}
