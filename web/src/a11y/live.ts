// One polite live region for the whole page: screen readers announce what is written into it.
// A panel that re-renders its subtree cannot rely on a live region of its own (a region inserted
// together with its text is often not announced), so it announces here.

let region: HTMLElement | undefined;

export function announce(text: string): void {
  if (!region) {
    region = document.createElement('div');
    region.id = 'sr-announce';
    region.className = 'sr-only';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    document.body.append(region);
  }
  // The same text twice in a row is announced again only if the region changed in between.
  region.textContent = '';
  const r = region;
  requestAnimationFrame(() => (r.textContent = text));
}
