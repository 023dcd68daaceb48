// Join from the room: a QR code of the join link (drawn here as SVG by qrcode-generator, no
// network), and, when the room cannot reach the link (the page is on 127.0.0.1/localhost, or the
// server listens on loopback only), a warning with the addresses this server can be reached at.
import qrcode from 'qrcode-generator';
import type { WorkshopAddresses } from '../../../server/protocol/api.js';
import { api } from '../api.js';
import { esc } from '../dom.js';
import { st } from './messages.js';

/** An SVG QR code of `text`, one path of dark modules, with the quiet zone the standard asks for. */
export function qrSvg(text: string, label: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const q = 4; // quiet zone, in modules
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + q} ${r + q}h1v1h-1z`;
  const size = n + 2 * q;
  return `<svg class="qr" role="img" aria-label="${esc(label)}" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg"><rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

const isLoopbackName = (h: string) => h === 'localhost' || h === '[::1]' || h === '::1' || /^127\./.test(h);

/** Fills `host` with the QR code of the join link, and the warning and addresses when the room cannot reach it. */
export async function mountJoinPanel(host: HTMLElement, workshopId: string, key: string, joinCode: string): Promise<void> {
  const joinUrl = (origin: string) => `${origin}/?join=${joinCode}`;
  const here = joinUrl(location.origin);
  let net: WorkshopAddresses | undefined;
  try {
    net = await api<WorkshopAddresses>('GET', `/api/workshops/${encodeURIComponent(workshopId)}/addresses`, undefined, key);
  } catch {
    net = undefined; // the QR code still helps; the dashboard's banner says what failed
  }
  const pageLoopback = isLoopbackName(location.hostname);
  const scheme = location.protocol;
  const reachable = (net?.addresses ?? []).filter((a) => a.family === 'IPv4').map((a) => joinUrl(`${scheme}//${a.address}:${net!.port}`));
  // The QR code points where a phone in the room can go: this page's link, or the first network address.
  const qrUrl = pageLoopback && !net?.loopbackOnly && reachable.length ? reachable[0] : here;
  let warn = '';
  if (net?.loopbackOnly) warn = st('net.loopbackServer', { host: net.host, port: net.port });
  else if (pageLoopback) warn = st('net.loopback', { where: location.hostname });
  host.innerHTML = `
    <h2>${esc(st('qr.h'))}</h2>
    <div class="ws-qr-box">${qrSvg(qrUrl, st('qr.alt', { url: qrUrl }))}</div>
    <p class="ws-qr-url"><a href="${esc(qrUrl)}" target="_blank" rel="noopener">${esc(qrUrl)}</a></p>
    ${warn ? `<div class="ws-net-warn" role="note" id="ws-net-warn"><p>${esc(warn)}</p>${
      reachable.length
        ? `<p>${esc(st(net?.loopbackOnly ? 'net.addressesAfter' : 'net.addresses'))}</p><ul class="ws-addrs">${reachable.map((u) => `<li><a href="${esc(u)}" target="_blank" rel="noopener">${esc(u)}</a></li>`).join('')}</ul>`
        : `<p>${esc(st('net.none'))}</p>`
    }</div>` : ''}`;
}
