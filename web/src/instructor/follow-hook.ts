// The hook the follow view plugs into: "Open" on a help request (or a heatmap row) calls
// openFollow(sessionId). Until following a learner's terminals is built (issue 15, item 1), it
// scrolls to that learner's heatmap row, highlights it and moves the focus there.
const HIGHLIGHT_MS = 4000;

export function openFollow(sessionId: string): void {
  const row = document.querySelector<HTMLElement>(`tr[data-session="${CSS.escape(sessionId)}"]`);
  if (!row) return;
  row.scrollIntoView({ block: 'center', behavior: 'smooth' });
  row.classList.add('hm-highlight');
  const head = row.querySelector<HTMLElement>('th');
  if (head) {
    head.tabIndex = -1;
    head.focus({ preventScroll: true });
  }
  window.setTimeout(() => row.classList.remove('hm-highlight'), HIGHLIGHT_MS);
}
