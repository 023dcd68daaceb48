// The Host and Origin allow-list that closes DNS rebinding (pure; the hook lives in edge-guard.ts).
// A page on evil.example whose name an attacker re-points at this server is same-origin with it
// in the browser, so only the names the server itself answers to may appear in Host or Origin:
// loopback names, IP literals (a browser addressing an IP has that IP as its origin, which no
// attacker controls), the bound address, this machine's hostname, and configured names.
import { isIPv4, isIPv6 } from 'node:net';

export interface HostAllowList {
  /** Lower-case names, no port, no trailing dot. */
  readonly names: ReadonlySet<string>;
}

export interface ParsedHost {
  /** Lower case, no brackets, no trailing dot. */
  name: string;
  port: number | undefined;
  ip: boolean;
}

// RFC 1035 limits: a name is at most 253 characters, a label 1..63 of letters, digits and hyphens
// (underscores appear in real internal names, so they pass too).
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
const MAX_HOST_HEADER = 300;

/**
 * Parses a Host header value (`name`, `name:port`, `1.2.3.4:80`, `[::1]:8080`). Anything else,
 * userinfo (`user@host`), paths, spaces, bare IPv6 without brackets, and over-long input, is
 * undefined: a Host that cannot be read is not allowed.
 */
export function parseHost(raw: string | undefined): ParsedHost | undefined {
  if (!raw || raw.length > MAX_HOST_HEADER) return undefined;
  let host = raw.toLowerCase();
  let port: number | undefined;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return undefined;
    const rest = host.slice(end + 1);
    host = host.slice(1, end);
    if (rest !== '') {
      if (!/^:\d{1,5}$/.test(rest)) return undefined;
      port = Number(rest.slice(1));
    }
    if (!isIPv6(host) || host.includes('%')) return undefined;
    return port === undefined || port <= 65535 ? { name: host, port, ip: true } : undefined;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    const p = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(p)) return undefined;
    port = Number(p);
    if (port > 65535) return undefined;
    host = host.slice(0, colon);
  }
  if (isIPv4(host)) return { name: host, port, ip: true };
  // One trailing dot is the same name, fully qualified ("localhost." is still loopback).
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return undefined;
  if (!host.split('.').every((l) => LABEL.test(l))) return undefined;
  return { name: host, port, ip: false };
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
