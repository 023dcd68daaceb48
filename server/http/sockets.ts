// The two WebSockets of a session: one per terminal (binary frames, DESIGN.md §6) and one for
// events (JSON text). Failures close with a documented code and a reason; nothing here throws
// inside a socket callback, and a bad frame never ends the session. (Their Host was checked by
// edge-guard.ts before the upgrade; their Origin is checked here, against the same allow-list.)
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, decodeClientFrame, FrameError, MAX_CLIENT_FRAME_BYTES } from '../protocol/frames.js';
import { isIsoplayError } from '../errors.js';
import type { Session } from '../sessions/registry.js';
import type { TerminalClient } from '../terminal/terminal.js';
import { type RouteContext, tokenOf } from './context.js';
import { originAllowed, shownHost } from './host-allow.js';

// Never against the request's own Host: on a rebinding page that is the attacker's name too.
function socketOriginAllowed(ctx: RouteContext, req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients send none
  return originAllowed(origin, ctx.hosts, ctx.config.allowedOrigins);
}

// Loose on purpose: an unknown id or terminal closes with 4000 / 4004 after the upgrade (what the
// page understands), rather than a 400 before it.
const socketParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 64 }, name: { type: 'string', maxLength: 64 } },
  required: ['id'],
};
const socketQuery = { type: 'object', properties: { token: { type: 'string', maxLength: 256 } } };

function closeWith(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason.slice(0, 120));
  } catch {
    /* already closing */
  }
}

/** Authorizes the socket's session, or closes it with 4000/4001/4005 and returns undefined. */
function sessionFor(ctx: RouteContext, socket: WebSocket, req: FastifyRequest<{ Params: { id: string } }>): Session | undefined {
  if (!socketOriginAllowed(ctx, req)) {
    closeWith(socket, CloseCode.badOrigin, `origin ${shownHost(req.headers.origin)} is not allowed (see --allowed-hosts)`);
    return undefined;
  }
  try {
    return ctx.registry.authorize(req.params.id, tokenOf(req.headers, req.query));
  } catch (e) {
    const code = isIsoplayError(e) && e.code === 'ISOPLAY_ERR_UNAUTHORIZED' ? CloseCode.badToken : CloseCode.noSuchSession;
    closeWith(socket, code, (e as Error).message);
    return undefined;
  }
}

export async function socketRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get<{ Params: { id: string; name: string } }>('/api/sessions/:id/terminals/:name', { websocket: true, schema: { params: socketParams, querystring: socketQuery } }, (socket, req) => {
    const session = sessionFor(ctx, socket, req);
    if (!session) return;
    const terminal = session.terminal(req.params.name);
    if (!terminal) {
      closeWith(socket, CloseCode.noSuchTerminal, `this session has no terminal named ${req.params.name}`);
      return;
    }
    const client: TerminalClient = {
      send: (frame) => socket.send(frame, { binary: true }),
      close: (code, reason) => closeWith(socket, code, reason),
    };
    session.socketOpened(client);
    terminal.attach(client);
    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      try {
        if (!isBinary) throw new FrameError('text frames are not part of the terminal protocol');
        const frame = decodeClientFrame(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), MAX_CLIENT_FRAME_BYTES);
        if (frame.type === 'input') terminal.input(frame.data);
        else if (frame.type === 'resize') terminal.resize(frame.cols, frame.rows);
        else terminal.ack(frame.bytes);
      } catch (e) {
        closeWith(socket, CloseCode.malformedFrame, e instanceof FrameError ? e.message : 'malformed frame');
      }
    });
    socket.on('close', () => {
      terminal.detach(client);
      session.socketClosed(client);
    });
    socket.on('error', () => undefined);
  });

  app.get<{ Params: { id: string } }>('/api/sessions/:id/events', { websocket: true, schema: { params: socketParams, querystring: socketQuery } }, (socket, req) => {
    const session = sessionFor(ctx, socket, req);
    if (!session) return;
    const unsubscribe = session.bus.subscribe((msg) => {
      try {
        socket.send(JSON.stringify(msg));
      } catch {
        /* closed between the event and now */
      }
    });
    socket.on('message', () => closeWith(socket, CloseCode.malformedFrame, 'the event socket takes no messages'));
    // The session's end closes the event socket too (4002 and the reason), like its terminals.
    const offEnd = session.onEnd((reason) => closeWith(socket, CloseCode.expired, reason));
    socket.on('close', () => {
      unsubscribe();
      offEnd();
    });
    socket.on('error', () => undefined);
  });
}
