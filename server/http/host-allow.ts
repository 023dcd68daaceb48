// The Host and Origin allow-list that closes DNS rebinding (pure; the hook lives in edge-guard.ts).
// A page on evil.example whose name an attacker re-points at this server is same-origin with it
// in the browser, so only the names the server itself answers to may appear in Host or Origin:
// loopback names, IP literals (a browser addressing an IP has that IP as its origin, which no
// attacker controls), the bound address, this machine's hostname, and configured names.
import { parseHost } from '../host-name.js';

export { parseHost, type ParsedHost } from '../host-name.js';

export interface HostAllowList {
  /** Lower-case names, no port, no trailing dot. */
  readonly names: ReadonlySet<string>;
}

/** Browsers resolve `localhost` and every `*.localhost` to loopback themselves (RFC 6761). */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

/** True if a request carrying this Host header may be served. */
export function hostAllowed(host: string | undefined, allow: HostAllowList): boolean {
  const h = parseHost(host);
  if (!h) return false;
  return h.ip || isLoopbackName(h.name) || allow.names.has(h.name);
}

/**
 * True if a browser page at `origin` may open a socket or change state here: its host is allowed
 * by the same list as Host (never compared with the request's own Host, which the rebinding page
 * controls), or the origin is listed in full in `allowedOrigins` ('*' allows any).
 */
export function originAllowed(origin: string, allow: HostAllowList, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.includes('*')) return true;
  const o = origin.toLowerCase();
  if (allowedOrigins.some((a) => a.toLowerCase() === o)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) return false;
  return hostAllowed(url.host, allow);
}

/** The allow-list of a server bound to `boundHost` on a machine called `machineName`. */
export function buildAllowList(configured: readonly string[], boundHost: string, machineName: string): HostAllowList {
  const names = new Set<string>();
  for (const raw of [...configured, boundHost, machineName]) {
    const h = parseHost(raw);
    if (h && !h.ip) names.add(h.name);
  }
  return { names };
}

/** A Host or Origin as it may appear in an error message or a log line: printable and short. */
export function shownHost(raw: string | undefined): string {
  const s = (raw ?? '').replace(/[^\x21-\x7e]/g, '?');
  return s.length > 80 ? `${s.slice(0, 80)}…` : s || '(none)';
}
