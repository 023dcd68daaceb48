// Host names as they appear in a Host header or in the --allowed-hosts setting (pure). The config
// validates allowed names with it, and the web edge (http/host-allow.ts) checks every request.
import { isIPv4, isIPv6 } from 'node:net';

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

