// The two DOM helpers every page module uses: an element by id, and HTML escaping for text and
// attribute values put into innerHTML templates.

/** The element with this id; the page's HTML has it, so a missing one is a bug, not a case. */
export const $ = (id: string): HTMLElement => document.getElementById(id)!;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for an HTML template: safe in element content and in double-quoted attributes. */
export const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ENTITIES[c]);
