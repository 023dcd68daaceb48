// The two WebSockets of a session: one per terminal (binary frames, DESIGN.md §6) and one for
// events (JSON text). Every close has a documented code and a reason: a malformed frame closes
// with 4400 and the session lives on; any other exception in a handler is logged with the session
// id and closes that socket with 1011; nothing throws out of a socket callback. (Their Host was
// checked by edge-guard.ts before the upgrade; their Origin is checked here, against the same
// allow-list.)
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, decodeClientFrame, FrameError, MAX_CLIENT_FRAME_BYTES } from '../protocol/frames.js';
import { isIsoplayError } from '../errors.js';
import type { Session } from '../sessions/session.js';
import type { TerminalClient } from '../terminal/terminal.js';
import { originAllowed, shownHost } from './host-allow.js';
import { tokenOf, tokenQuery } from './schemas.js';

// Loose on purpose: an unknown id or terminal closes with 4000 / 4004 after the upgrade (what the
// page understands), rather than a 400 before it.
const socketParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 64 }, name: { type: 'string', maxLength: 64 } },
  required: ['id'],
};

/** Closes a socket; never throws (a socket already closing ignores it). */
export function closeWith(socket: WebSocket, code: number, reason: string): void {
  // A close reason is at most 123 bytes of UTF-8.
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  try {
    socket.close(code, r);
  } catch (err) {
    // ws throws only for a code it considers invalid, which would be our bug: end the socket anyway.
    socket.terminate();
    throw err;
  }
}

/** Runs a socket callback; an exception is logged with the session and closes the socket with 1011. */
function guarded<A extends unknown[]>(log: FastifyBaseLogger, session: string, socket: WebSocket, fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (err) {
      log.error({ err, session }, 'socket handler failed');
      closeWith(socket, CloseCode.internalError, 'internal error (logged on the server)');
    }
  };
}

/** Authorizes the socket's session, or closes it with 4000/4001/4005 and returns undefined. */
function sessionFor(app: FastifyInstance, socket: WebSocket, req: FastifyRequest<{ Params: { id: string } }>): Session | undefined {
  const origin = req.headers.origin;
  // Never against the request's own Host: on a rebinding page that is the attacker's name too.
  // Non-browser clients send no Origin.
  if (origin !== undefined && !originAllowed(origin, app.hosts, app.config.allowedOrigins)) {
    closeWith(socket, CloseCode.badOrigin, `origin ${shownHost(origin)} is not allowed (see --allowed-hosts)`);
    return undefined;
  }
  try {
    return app.registry.authorize(req.params.id, tokenOf(req.headers, req.query));
  } catch (e) {
    if (!isIsoplayError(e)) throw e;
    closeWith(socket, e.code === 'ISOPLAY_ERR_UNAUTHORIZED' ? CloseCode.badToken : CloseCode.noSuchSession, e.message);
    return undefined;
  }
}

export async function socketRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string; name: string } }>(
    '/api/sessions/:id/terminals/:name',
    { websocket: true, schema: { params: socketParams, querystring: tokenQuery } },
    (socket, req) => {
      const session = sessionFor(app, socket, req);
      if (!session) return;
      const guard = <A extends unknown[]>(fn: (...args: A) => void) => guarded(req.log, session.id, socket, fn);
      guard(() => {
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
        socket.on(
          'message',
          guard((raw: Buffer, isBinary: boolean) => {
            let frame;
            try {
              if (!isBinary) throw new FrameError('text frames are not part of the terminal protocol');
              frame = decodeClientFrame(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), MAX_CLIENT_FRAME_BYTES);
            } catch (e) {
              if (!(e instanceof FrameError)) throw e;
              closeWith(socket, CloseCode.malformedFrame, e.message);
              return;
            }
            if (frame.type === 'input') terminal.input(frame.data);
            else if (frame.type === 'resize') terminal.resize(frame.cols, frame.rows);
            else terminal.ack(frame.bytes);
          }),
        );
        socket.on(
          'close',
          guard(() => {
            terminal.detach(client);
            session.socketClosed(client);
          }),
        );
      })();
      socket.on('error', (err) => req.log.info({ err, session: session.id }, 'terminal socket error'));
    },
  );

  app.get<{ Params: { id: string } }>('/api/sessions/:id/events', { websocket: true, schema: { params: socketParams, querystring: tokenQuery } }, (socket, req) => {
    const session = sessionFor(app, socket, req);
    if (!session) return;
    const guard = <A extends unknown[]>(fn: (...args: A) => void) => guarded(req.log, session.id, socket, fn);
    // ws drops a send to a socket that is closing (it reports through the callback, never throws).
    const unsubscribe = session.bus.subscribe(guard((msg) => socket.send(JSON.stringify(msg))));
    socket.on('message', () => closeWith(socket, CloseCode.malformedFrame, 'the event socket takes no messages'));
    // The session's end closes the event socket too (4002, or 4010 when the server stops), like its terminals.
    const offEnd = session.onEnd((reason, code) => closeWith(socket, code, reason));
    socket.on('close', () => {
      unsubscribe();
      offEnd();
    });
    socket.on('error', (err) => req.log.info({ err, session: session.id }, 'event socket error'));
  });
}
