import type { Result } from 'execa';

export interface SpawnReply {
  id: number;
  exitCode?: number;
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  failed: boolean;
  /** The errno of a command that could not start (ENOENT, EACCES). */
  code?: string;
  message?: string;
}

export function replyOf(r: Result, id: number): SpawnReply;
