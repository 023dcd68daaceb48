// REST shapes under /api (DESIGN.md §6). Errors are `{ code, message }` with an ISOPLAY_ERR_* code.

export interface ApiError {
  code: string;
  message: string;
}

export interface CreateSessionRequest {
  lab?: string;
  /** The learner token kept in the browser (progress survives across sessions); made by the server if absent. */
  learner?: string;
  /** Start the lab at this step, replaying the solves of the earlier ones (lab reset). */
  resetStep?: number;
}

export interface CreateSessionResponse {
  id: string;
  token: string;
  learner: string;
  terminals: { name: string; title?: string }[];
  mode: 'sandbox' | 'host';
  lab?: string;
}

export interface SessionSummary {
  id: string;
  state: 'creating' | 'ready' | 'attached' | 'detached' | 'expired' | 'destroyed';
  createdAt: number;
  terminals: { name: string; attached: boolean; exited: boolean }[];
  lab?: string;
}
