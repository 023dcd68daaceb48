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
  /** This server process's random id (also in GET /api/health): a page that finds it changed knows the server restarted. */
  server?: string;
}

export interface SessionSummary {
  id: string;
  state: 'creating' | 'ready' | 'attached' | 'detached' | 'expired' | 'destroyed';
  createdAt: number;
  terminals: { name: string; title?: string; attached: boolean; exited: boolean }[];
  lab?: string;
}

/** POST /api/workshops → 201. The instructor key is shown once: only its hash is stored. */
export interface CreateWorkshopResponse {
  id: string;
  title: string;
  joinCode: string;
  instructorKey: string;
}

/** POST /api/workshops body: a title, and optionally the workshop's shape. Needs the server's instructor key. */
export interface CreateWorkshopRequest {
  title: string;
  /** Lab ids in order: learners land in the first. */
  path?: string[];
  learnerLimit?: number;
  /** ms since epoch */
  startsAt?: number;
  endsAt?: number;
}

/** GET /api/workshops/:id/capacity (server/workshops/capacity.ts). */
export interface WorkshopCapacityView {
  seats: number;
  by: { memory: number; cpu: number; pids: number; maxSessions: number };
  limitedBy: 'memory' | 'cpu' | 'pids' | 'maxSessions';
  formula: string;
  /** Seats taken now by live sessions. */
  used: number;
  need: { perLearner: number; learners: number; total: number; vmLabs: string[] };
  fits: boolean;
}

/** GET /api/workshops/:id/addresses: where the room can reach this server. */
export interface WorkshopAddresses {
  host: string;
  port: number;
  loopbackOnly: boolean;
  addresses: { iface: string; address: string; family: 'IPv4' | 'IPv6' }[];
}

/** One learner on the instructor's dashboard (GET /api/workshops/:id). */
export interface WorkshopLearner {
  name: string;
  /** A live session exists for this learner, and a browser is attached to one of its terminals. */
  online: boolean;
  sessionId?: string;
  lab?: string;
  labTitle?: string;
  /** Steps passed in that lab, and how many it has. */
  passed: number;
  steps: number;
  /** Title of the step the learner is on (the first one not passed). */
  currentStep?: string;
  lastActivityAt?: number;
  memory?: { current: number; max: number | null };
  oomKills?: number;
  /** The learner pressed "Ask for help" at this time (ms since epoch) and has not withdrawn it. */
  helpRequestedAt?: number;
}

export interface WorkshopDashboard {
  id: string;
  title: string;
  joinCode: string;
  createdAt: number;
  now: number;
  /** The workshop's shape (server/workshops/shape.ts): labs in order, learner limit, times (ms), when it ended. */
  path?: string[];
  learnerLimit?: number | null;
  startsAt?: number | null;
  endsAt?: number | null;
  endedAt?: number | null;
  learners: WorkshopLearner[];
  /** Where the room is stuck, the help queue and the announcements (server/workshops/heatmap.ts). */
  insight?: WorkshopInsight;
}

/** One step of a lab as the page sees it (GET /api/labs/:id): the prediction's answer is not in it. */
export interface LabStepView {
  title: string;
  markdown: string;
  hints: string[];
  /** The terminal its exec blocks run in by default. */
  terminal: string;
  predict?: { question: string; options: string[] };
  /** Set when the step has a text per cgroup version: the one this host runs. */
  variant?: 'v1' | 'v2';
}

/** A lab in the catalog (GET /api/labs). `reason` says why it is not available on this host. */
export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  level: 'beginner' | 'intermediate' | 'advanced';
  minutes: number;
  available: boolean;
  reason?: string;
  terminals: { name: string; title?: string }[];
  stepCount: number;
  /** The language the texts are in ('en' when the lab has no translation for the one asked). */
  lang: string;
  /** Every language the lab is written in. */
  languages: string[];
}

/** A suggested path through the catalogue (a half-day workshop): its labs in order and their total minutes. */
export interface LabPathView {
  id: string;
  title: string;
  labs: string[];
  /** The sum of the minutes of its labs that this host can run. */
  minutes: number;
}

/** GET /api/labs/:id */
export interface LabDetail extends Omit<LabSummary, 'stepCount'> {
  steps: LabStepView[];
}

/** GET /api/sessions/:id/lab: where the session's learner is in its lab. */
export interface LabProgress {
  lab: string;
  /** The first step not passed (0-based); equals the step count when done. */
  current: number;
  passed: { step: number; passedAt: number; message: string }[];
  predictions: Record<number, { choice: number; correct: boolean }>;
  done: boolean;
}

/** POST /api/sessions/:id/lab/steps/:n/check. `error` is a broken check (the lab's bug), never the learner's failure. */
export interface StepCheckResult {
  status: 'passed' | 'failed' | 'error';
  message: string;
  /** A failed check's stable reason id (lab.yaml `failures`), the same for every learner. */
  reason?: string;
  step: number;
  progress: LabProgress;
}

// ---- Workshop insight: the heatmap of learners × steps, the help queue, announcements ----

/** A learner's state on one step: passed, on it, on it for longer than the stuck limit, asked for help, or not reached. */
export type HeatCell = 'passed' | 'current' | 'stuck' | 'help' | 'todo';

/** One column of the heatmap: a step of a lab of the workshop's path (or of the labs its learners are in). */
export interface HeatmapColumn {
  lab: string;
  labTitle: string;
  /** 0-based step index in the lab. */
  step: number;
  title: string;
}

export interface HeatmapRow {
  name: string;
  sessionId?: string;
  online: boolean;
  /** One per column. */
  cells: HeatCell[];
  /** The column the learner is on, and since when (ms since epoch). */
  currentCol?: number;
  since?: number;
  /** The reason id of the learner's latest failed check on that step. */
  reason?: string;
  /** The learner's request for help is open (also when they are in no lab of the heatmap). */
  help?: true;
}

/** The most common failed-check reasons of one column (step), most learners first. */
export interface StepReasons {
  col: number;
  reasons: { id: string; message?: string; learners: number; checks: number }[];
}

export interface Heatmap {
  /** A learner on one step for longer than this, online and without passing, is stuck. */
  stuckMinutes: number;
  columns: HeatmapColumn[];
  rows: HeatmapRow[];
  reasons: StepReasons[];
}

/** A learner's open request for help, oldest first on the dashboard. */
export interface HelpRequestView {
  sessionId: string;
  name: string;
  text?: string;
  at: number;
}

/** An announcement to the room, shown to learners until it expires or they dismiss it. */
export interface AnnouncementView {
  id: string;
  text: string;
  at: number;
  expiresAt: number;
}

export interface WorkshopInsight {
  heatmap: Heatmap;
  help: HelpRequestView[];
  announcements: AnnouncementView[];
}
