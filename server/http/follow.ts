// Follow a learner, take their keyboard, broadcast the instructor's terminal (README, "Running a
// workshop"). A terminal has one writer (its learner's socket) and many read-only viewers
// (terminal/viewers.ts); these routes authorize the viewers:
//   - an instructor, with the workshop's instructor key, views a terminal (and the event socket) of
//     a session that is a learner of THAT workshop; anything else closes 4001 (wrong key) or 4030
//     (not a learner of this workshop; close codes in protocol/frames.ts), logged with the workshop and the reason;
//   - the instructor takes (and gives back) a learner's keyboard: while held, the learner's input is
//     dropped by the server and their page shows "The instructor is typing" (a `keyboard` event);
//     the instructor's viewer sockets of that terminal may then send input; closing the last one
//     gives the keyboard back;
//   - the instructor broadcasts a session of their own (its token proves it): every learner of the
//     workshop gets a `broadcast` event and may open a viewer of its shell (and its event socket)
//     with their own session token.
// A viewer's input frame is never written to a shell: the socket closes 4031 (and it is logged).
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, decodeClientFrame, encodeServerFrame, FrameError, MAX_CLIENT_FRAME_BYTES } from '../protocol/frames.js';
import { IsoplayError, isIsoplayError } from '../errors.js';
import type { Session } from '../sessions/session.js';
import type { Terminal } from '../terminal/terminal.js';
import type { ViewerSocket } from '../terminal/viewers.js';
import { closeWith } from './sockets.js';
import { originAllowed, shownHost } from './host-allow.js';
import { SESSION_ID, WORKSHOP_ID, sessionParams, tokenOf, tokenQuery } from './schemas.js';

/** A workshop as its service's store returns it (http/ does not import db/). */
type Workshop = NonNullable<ReturnType<FastifyInstance['workshops']['store']['authorize']>>;

const loose = { type: 'string', maxLength: 64 } as const;
const followSocketParams = { type: 'object', properties: { wid: loose, sid: loose, name: loose }, required: ['wid', 'sid'] } as const;
const followParams = { type: 'object', properties: { wid: WORKSHOP_ID, sid: SESSION_ID }, required: ['wid', 'sid'], additionalProperties: false } as const;
const learnerSocketParams = { type: 'object', properties: { id: loose }, required: ['id'] } as const;

interface Broadcast {
  sessionId: string;
  /** Learners' viewer and event sockets: closed when the broadcast stops. */
  sockets: Set<WebSocket>;
  offEnd: () => void;
}

/** Tells an instructor's viewer whether it holds the keyboard now. */
const keyboardFrame = (instructor: boolean) => encodeServerFrame({ type: 'status', status: { state: 'keyboard', instructor } });

function viewerOf(socket: WebSocket): ViewerSocket {
  return {
    send: (frame) => socket.send(frame, { binary: true }),
    close: (code, reason) => closeWith(socket, code, reason),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
}

export async function followRoutes(app: FastifyInstance): Promise<void> {
  const { registry, workshops } = app;
  /** The instructor of each workshop, as the one who holds a learner's keyboard. */
  const holders = new Map<string, object>();
  const holderOf = (w: Workshop) => {
    let h = holders.get(w.id);
    if (!h) holders.set(w.id, (h = { workshop: w.id }));
    return h;
  };
  /** Each terminal's viewer sockets opened with an instructor key. */
  const instructorViewers = new WeakMap<Terminal, Set<WebSocket>>();
  const broadcasts = new Map<string, Broadcast>();

  // Every refusal is logged on the app's logger, with the workshop (or session) and the reason.
  const refuse = (_log: FastifyBaseLogger, socket: WebSocket | undefined, code: number, what: Record<string, unknown>, reason: string) => {
    app.log.warn({ ...what, reason, closeCode: code }, 'follow refused');
    if (socket) closeWith(socket, code, reason);
  };

  const originOk = (socket: WebSocket, req: FastifyRequest): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined || originAllowed(origin, app.hosts, app.config.allowedOrigins)) return true;
    closeWith(socket, CloseCode.badOrigin, `origin ${shownHost(origin)} is not allowed (see --allowed-hosts)`);
    return false;
  };

  /** The workshop and its learner's session, or undefined after closing the socket (logged). */
  const instructorSocket = (socket: WebSocket, req: FastifyRequest<{ Params: { wid: string; sid: string } }>): { w: Workshop; s: Session } | undefined => {
    if (!originOk(socket, req)) return undefined;
    const what = { workshop: req.params.wid, session: req.params.sid };
    const w = workshops.store.authorize(req.params.wid, tokenOf(req.headers, req.query));
    if (!w) return void refuse(req.log, socket, CloseCode.badToken, what, 'missing or wrong instructor key for this workshop');
    const s = registry.get(req.params.sid);
    if (!s || s.workshop?.code !== w.joinCode) return void refuse(req.log, socket, CloseCode.notInWorkshop, what, 'this session is not a learner of this workshop');
    return { w, s };
  };

  const learnersOf = (w: Workshop) => registry.list().filter((s) => s.workshop?.code === w.joinCode);

  /** Serves one read-only viewer of `session`'s terminal `name`; `holder` may type while it holds the keyboard. */
  function serveViewer(socket: WebSocket, log: FastifyBaseLogger, session: Session, name: string, what: Record<string, unknown>, holder?: object, onClose?: () => void): void {
    const t = session.terminals.get(name);
    if (!t) {
      closeWith(socket, CloseCode.noSuchTerminal, `terminal ${name} has not started (or does not exist)`);
      return;
    }
    const v = viewerOf(socket);
    t.addViewer(v);
    // An instructor's view learns who types now (a reconnect after the learner's shell restarted: nobody).
    if (holder) v.send(keyboardFrame(t.keyboardHolder === holder));
    const offEnd = session.onEnd((reason, code) => closeWith(socket, code, reason));
    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      try {
        if (!isBinary) throw new FrameError('text frames are not part of the terminal protocol');
        const frame = decodeClientFrame(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), MAX_CLIENT_FRAME_BYTES);
        if (frame.type !== 'input') return; // a viewer's resize and acks change nothing
        if (holder && t.keyboardHolder === holder) {
          t.input(frame.data, holder);
          return;
        }
        refuse(log, socket, CloseCode.readOnly, what, 'this terminal is read-only for you: input refused');
      } catch (e) {
        if (e instanceof FrameError) closeWith(socket, CloseCode.malformedFrame, e.message);
        else {
          log.error({ err: e, ...what }, 'viewer socket handler failed');
          closeWith(socket, CloseCode.internalError, 'internal error (logged on the server)');
        }
      }
    });
    socket.on('close', () => {
      t.removeViewer(v);
      offEnd();
      onClose?.();
    });
    socket.on('error', (err) => log.info({ err, ...what }, 'viewer socket error'));
  }

  /** A read-only event socket of `session` (its kernel view). */
  function serveEvents(socket: WebSocket, log: FastifyBaseLogger, session: Session, what: Record<string, unknown>, onClose?: () => void): void {
    const unsubscribe = session.bus.subscribe((msg) => socket.send(JSON.stringify(msg)));
    const offEnd = session.onEnd((reason, code) => closeWith(socket, code, reason));
    socket.on('message', () => closeWith(socket, CloseCode.malformedFrame, 'the event socket takes no messages'));
    socket.on('close', () => {
      unsubscribe();
      offEnd();
      onClose?.();
    });
    socket.on('error', (err) => log.info({ err, ...what }, 'event socket error'));
  }

  function releaseKeyboard(s: Session, name: string, t: Terminal): void {
    t.setKeyboard(undefined);
    s.bus.publish({ type: 'event', at: Date.now(), kind: 'keyboard', terminal: name, instructor: false });
  }

  // ---- Follow a learner -------------------------------------------------------------------------

  app.get<{ Params: { wid: string; sid: string; name: string } }>(
    '/api/workshops/:wid/follow/:sid/terminals/:name',
    { websocket: true, schema: { params: followSocketParams, querystring: tokenQuery } },
    (socket, req) => {
      const ok = instructorSocket(socket, req);
      if (!ok) return;
      const { w, s } = ok;
      const name = req.params.name;
      const t = s.terminals.get(name);
      const holder = holderOf(w);
      if (t) {
        let set = instructorViewers.get(t);
        if (!set) instructorViewers.set(t, (set = new Set()));
        set.add(socket);
      }
      serveViewer(socket, req.log, s, name, { workshop: w.id, session: s.id, terminal: name, viewer: 'instructor' }, holder, () => {
        if (!t) return;
        const set = instructorViewers.get(t);
        set?.delete(socket);
        // The instructor's last view of this terminal closed: the keyboard goes back to the learner.
        if (!set?.size && t.keyboardHolder === holder) releaseKeyboard(s, name, t);
      });
    },
  );

  app.get<{ Params: { wid: string; sid: string } }>(
    '/api/workshops/:wid/follow/:sid/events',
    { websocket: true, schema: { params: followSocketParams, querystring: tokenQuery } },
    (socket, req) => {
      const ok = instructorSocket(socket, req);
      if (ok) serveEvents(socket, req.log, ok.s, { workshop: ok.w.id, session: ok.s.id, viewer: 'instructor' });
    },
  );

  /** The terminals a follower can open (started ones), and who holds each keyboard. */
  app.get<{ Params: { wid: string; sid: string } }>('/api/workshops/:wid/follow/:sid', { schema: { params: followParams, querystring: tokenQuery } }, async (req) => {
    const w = workshops.store.authorize(req.params.wid, tokenOf(req.headers, req.query));
    if (!w) {
      refuse(req.log, undefined, CloseCode.badToken, { workshop: req.params.wid, session: req.params.sid }, 'follow: missing or wrong instructor key');
      throw new IsoplayError('ISOPLAY_ERR_INSTRUCTOR_KEY', { id: req.params.wid });
    }
    const s = registry.get(req.params.sid);
    if (!s || s.workshop?.code !== w.joinCode) {
      refuse(req.log, undefined, CloseCode.notInWorkshop, { workshop: w.id, session: req.params.sid }, 'follow: this session is not a learner of this workshop');
      throw new IsoplayError('ISOPLAY_ERR_NOT_IN_WORKSHOP', { session: req.params.sid, id: w.id });
    }
    const holder = holderOf(w);
    return {
      name: s.workshop.name,
      terminals: s.terminalNames
        .filter((n) => s.terminals.has(n))
        .map((n) => ({ name: n, title: s.terminalTitles[n] ?? n, instructor: s.terminals.get(n)!.keyboardHolder === holder })),
    };
  });

  app.post<{ Params: { wid: string; sid: string }; Body: { take: boolean; terminal?: string } }>(
    '/api/workshops/:wid/follow/:sid/keyboard',
    {
      schema: {
        params: followParams,
        querystring: tokenQuery,
        body: { type: 'object', additionalProperties: false, required: ['take'], properties: { take: { type: 'boolean' }, terminal: { type: 'string', maxLength: 64 } } },
      },
    },
    async (req) => {
      const what = { workshop: req.params.wid, session: req.params.sid };
      const w = workshops.store.authorize(req.params.wid, tokenOf(req.headers, req.query));
      if (!w) {
        refuse(req.log, undefined, CloseCode.badToken, what, 'keyboard: missing or wrong instructor key');
        throw new IsoplayError('ISOPLAY_ERR_INSTRUCTOR_KEY', { id: req.params.wid });
      }
      const s = registry.get(req.params.sid);
      if (!s || s.workshop?.code !== w.joinCode) {
        refuse(req.log, undefined, CloseCode.notInWorkshop, what, 'keyboard: this session is not a learner of this workshop');
        throw new IsoplayError('ISOPLAY_ERR_NOT_IN_WORKSHOP', { session: req.params.sid, id: w.id });
      }
      const name = req.body.terminal ?? 'shell';
      const t = s.terminals.get(name);
      const holder = holderOf(w);
      if (req.body.take) {
        if (!t || !instructorViewers.get(t)?.size) throw new IsoplayError('ISOPLAY_ERR_NOT_FOLLOWING', { terminal: name });
        if (t.keyboardHolder !== holder) {
          t.setKeyboard(holder);
          for (const ws of instructorViewers.get(t) ?? []) ws.send(keyboardFrame(true), { binary: true });
          s.bus.publish({ type: 'event', at: Date.now(), kind: 'keyboard', terminal: name, instructor: true });
        }
      } else if (t && t.keyboardHolder === holder) {
        releaseKeyboard(s, name, t);
        for (const ws of instructorViewers.get(t) ?? []) ws.send(keyboardFrame(false), { binary: true });
      }
      return { terminal: name, instructor: t?.keyboardHolder === holder };
    },
  );

  // ---- Broadcast --------------------------------------------------------------------------------

  function stopBroadcast(w: Workshop, why: string): void {
    const b = broadcasts.get(w.id);
    if (!b) return;
    broadcasts.delete(w.id);
    b.offEnd();
    for (const ws of b.sockets) closeWith(ws, CloseCode.normal, why);
    const at = Date.now();
    for (const s of learnersOf(w)) s.bus.publish({ type: 'event', at, kind: 'broadcast', live: false });
  }

  app.post<{ Params: { wid: string }; Body: { sessionId: string | null; token?: string } }>(
    '/api/workshops/:wid/broadcast',
    {
      schema: {
        params: { type: 'object', properties: { wid: WORKSHOP_ID }, required: ['wid'], additionalProperties: false },
        querystring: tokenQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['sessionId'],
          properties: { sessionId: { anyOf: [SESSION_ID, { type: 'null' }] }, token: { type: 'string', maxLength: 256 } },
        },
      },
    },
    async (req) => {
      const w = workshops.store.authorize(req.params.wid, tokenOf(req.headers, req.query));
      if (!w) {
        refuse(req.log, undefined, CloseCode.badToken, { workshop: req.params.wid }, 'broadcast: missing or wrong instructor key');
        throw new IsoplayError('ISOPLAY_ERR_INSTRUCTOR_KEY', { id: req.params.wid });
      }
      stopBroadcast(w, 'the instructor stopped the broadcast');
      if (req.body.sessionId === null) return { live: false, delivered: 0 };
      // The session's own token proves it is the instructor's: nobody broadcasts someone else's shell.
      const s = registry.authorize(req.body.sessionId, req.body.token);
      const offEnd = s.onEnd(() => stopBroadcast(w, 'the broadcast session ended'));
      broadcasts.set(w.id, { sessionId: s.id, sockets: new Set(), offEnd });
      const live = learnersOf(w).filter((x) => x.id !== s.id);
      const at = Date.now();
      for (const l of live) l.bus.publish({ type: 'event', at, kind: 'broadcast', live: true });
      return { live: true, delivered: live.length };
    },
  );

  /** The learner's session and the broadcast of its workshop, or undefined after closing the socket. */
  const broadcastFor = (socket: WebSocket, req: FastifyRequest<{ Params: { id: string } }>): { s: Session; b: Broadcast; bs: Session } | undefined => {
    if (!originOk(socket, req)) return undefined;
    let s: Session;
    try {
      s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
    } catch (e) {
      if (!isIsoplayError(e)) throw e;
      closeWith(socket, e.code === 'ISOPLAY_ERR_UNAUTHORIZED' ? CloseCode.badToken : CloseCode.noSuchSession, e.message);
      return undefined;
    }
    const w = s.workshop ? workshops.store.byCode(s.workshop.code) : undefined;
    if (!w) return void refuse(req.log, socket, CloseCode.notInWorkshop, { session: s.id }, 'broadcast: this session is not in a workshop');
    const b = broadcasts.get(w.id);
    const bs = b && registry.get(b.sessionId);
    if (!b || !bs) return void closeWith(socket, CloseCode.noSuchTerminal, 'no broadcast is running in this workshop');
    b.sockets.add(socket);
    socket.on('close', () => b.sockets.delete(socket));
    return { s, b, bs };
  };

  app.get<{ Params: { id: string } }>(
    '/api/sessions/:id/broadcast/terminal',
    { websocket: true, schema: { params: learnerSocketParams, querystring: tokenQuery } },
    (socket, req) => {
      const ok = broadcastFor(socket, req);
      if (ok) serveViewer(socket, req.log, ok.bs, 'shell', { session: ok.s.id, broadcast: ok.bs.id, viewer: 'learner' });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/sessions/:id/broadcast/events',
    { websocket: true, schema: { params: learnerSocketParams, querystring: tokenQuery } },
    (socket, req) => {
      const ok = broadcastFor(socket, req);
      if (ok) serveEvents(socket, req.log, ok.bs, { session: ok.s.id, broadcast: ok.bs.id, viewer: 'learner' });
    },
  );

  /** Whether the learner's workshop is broadcasting now (a page that loads after the start asks). */
  app.get<{ Params: { id: string } }>('/api/sessions/:id/broadcast', { schema: { params: sessionParams, querystring: tokenQuery } }, async (req) => {
    const s = registry.authorize(req.params.id, tokenOf(req.headers, req.query));
    const w = s.workshop ? workshops.store.byCode(s.workshop.code) : undefined;
    return { live: !!(w && broadcasts.has(w.id)) };
  });
}
