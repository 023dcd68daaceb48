// The error catalogue: every expected failure has a stable ISOPLAY_ERR_* code, an HTTP status
// and a message template. Tests assert codes, never message text.

export const ERRORS = {
  ISOPLAY_ERR_BAD_REQUEST: { status: 400, message: 'Bad request: {detail}' },
  ISOPLAY_ERR_UNAUTHORIZED: { status: 401, message: 'Missing or wrong session token' },
  // DNS rebinding: a page on a foreign name that resolves to this server. The message names the flag
  // an operator who does serve that name needs.
  ISOPLAY_ERR_HOST_NOT_ALLOWED: {
    status: 403,
    message: 'This server does not answer to the name "{host}" (a guard against DNS rebinding). If it should, start it with --allowed-hosts {name} (or ISOPLAY_ALLOWED_HOSTS={name}).',
  },
  ISOPLAY_ERR_ORIGIN_NOT_ALLOWED: {
    status: 403,
    message: 'Requests from a page at {origin} are not allowed. If that page is yours, start the server with --allowed-hosts {name} or --allowed-origins {origin}.',
  },
  ISOPLAY_ERR_NOT_FOUND: { status: 404, message: 'No such route: {detail}' },
  ISOPLAY_ERR_SESSION_NOT_FOUND: { status: 404, message: 'No session with id {id}' },
  ISOPLAY_ERR_LAB_NOT_FOUND: { status: 404, message: 'No lab with id {id}' },
  ISOPLAY_ERR_WORKSHOP_NOT_FOUND: { status: 404, message: 'No workshop with join code {code}: check the code your instructor gave' },
  ISOPLAY_ERR_INSTRUCTOR_KEY: { status: 401, message: 'Missing or wrong instructor key for workshop {id}' },
  ISOPLAY_ERR_NOT_IN_WORKSHOP: { status: 403, message: 'Session {session} is not a learner of workshop {id}' },
  ISOPLAY_ERR_NOT_FOLLOWING: { status: 409, message: 'Open terminal {terminal} of this learner (Follow) before taking its keyboard' },
  ISOPLAY_ERR_ADMIN_KEY: {
    status: 401,
    message: "Missing or wrong server instructor key: creating a workshop needs it (the file instructor-key in the server's data directory, or --instructor-key)",
  },
  ISOPLAY_ERR_WORKSHOP_FULL: { status: 409, message: 'The workshop "{title}" is full: it takes {limit} learners. Ask your instructor.' },
  ISOPLAY_ERR_WORKSHOP_NOT_STARTED: { status: 409, message: 'The workshop "{title}" has not started yet: it starts at {at}. Come back then.' },
  ISOPLAY_ERR_WORKSHOP_ENDED: { status: 410, message: 'The workshop "{title}" has ended: it takes no more learners. Your instructor still sees your progress.' },
  ISOPLAY_ERR_ROOM_FULL: {
    status: 409,
    message: 'This server has no room for another learner: all {seats} seats it can hold are taken. Ask your instructor.',
  },
  ISOPLAY_ERR_STEP_NOT_REACHED: { status: 409, message: 'Step {step} is not reached yet: finish step {current} first' },
  ISOPLAY_ERR_LAB_UNAVAILABLE: { status: 409, message: 'Lab {id} cannot run on this host: {reason}' },
  ISOPLAY_ERR_CAPACITY: {
    status: 503,
    message: 'The playground is full ({max} sessions are running). Please try again in a minute, or ask your instructor.',
  },
  ISOPLAY_ERR_DISK_FULL: {
    status: 507,
    message: "The server's disk is full ({detail}): no new sandbox can start. Sandboxes already running keep working; tell the instructor or the host's operator.",
  },
  ISOPLAY_ERR_BUSY: { status: 429, message: 'Too busy: {detail}. Try again in a moment.' },
  ISOPLAY_ERR_RATE_LIMITED: {
    status: 429,
    message: 'Too many new sandboxes were started {from} just now. Please wait {seconds} seconds, then try again.',
  },
  ISOPLAY_ERR_TOO_MANY_SESSIONS: {
    status: 429,
    message: 'You already have {count} sandboxes running from your network address (the limit is {max}). Close another playground tab, or wait a minute for an unused sandbox to end, then try again.',
  },
  ISOPLAY_ERR_TERMINALS_FULL: { status: 409, message: 'This session already has {max} terminals: close the page and reopen it, or use the ones you have.' },
  ISOPLAY_ERR_SANDBOX_FAILED: { status: 500, message: 'The sandbox could not be created: {detail}' },
  ISOPLAY_ERR_CHECK_FAILED: { status: 500, message: 'The check could not run: {detail}' },
  ISOPLAY_ERR_INTERNAL: { status: 500, message: 'Internal error: {detail}' },
  ISOPLAY_ERR_CONFIG: { status: 500, message: 'Invalid configuration {key}: {detail}' },
  ISOPLAY_ERR_HOST_UNSUPPORTED: { status: 500, message: 'This host cannot run the playground: {detail}' },
  ISOPLAY_ERR_LAB_INVALID: { status: 500, message: 'Lab {file}: {detail}' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class IsoplayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Record<string, string | number>;
  /** Sent as the Retry-After header (seconds) when the caller may simply try again later. */
  readonly retryAfterSec: number | undefined;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options?: { cause?: unknown; retryAfterSec?: number }) {
    super(formatMessage(code, params), options);
    this.name = 'IsoplayError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.params = params;
    this.retryAfterSec = options?.retryAfterSec;
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function formatMessage(code: ErrorCode, params: Record<string, string | number>): string {
  return ERRORS[code].message.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

export function isIsoplayError(e: unknown): e is IsoplayError {
  return e instanceof IsoplayError;
}

/** The disk under the data directory is full (a write failed with ENOSPC, or SQLite's SQLITE_FULL). */
export function isDiskFull(e: unknown): boolean {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; x && depth < 5; x = x.cause as typeof x, depth++) {
    if (x.code === 'ENOSPC' || x.code === 'SQLITE_FULL' || x.code === 'EDQUOT') return true;
  }
  return false;
}
