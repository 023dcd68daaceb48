// How many learners this host holds at the configured limits, and how many seats a workshop's labs
// need. The formula (README "Capacity", and the instructor page's tooltip say the same):
//
//   memory seats = floor((MemTotal - serverReserve) / memoryLimit)
//   cpu seats    = floor(sandboxesCpus / LEARNER_CPU)            (a learner averages 2% of a CPU)
//   pid seats    = floor(pid_max / 2 / pidsLimit)          (half of the pid space for the host)
//   seats        = min(memory, cpu, pid seats, maxSessions)
//
// A learner in a lab costs one seat; a lab that boots a VM (lab.yaml `requires.vm: true`) costs
// 1 + ceil(VM_FOOTPRINT / memoryLimit): its qemu (96 MiB of guest RAM, server/sandbox/vm/isoplay-vm,
// plus qemu's own ~64 MiB) fills its sandbox's memory instead of the few MiB a shell uses, and keeps
// a CPU busy emulating while it boots.
import fs from 'node:fs';
import os from 'node:os';
import type { Config } from '../config.js';

const MiB = 1024 * 1024;
/**
 * What one learner uses on average, in CPUs: they read and type most of the time, and run short
 * commands. Each sandbox's CPU quota (cpuQuota/cpuPeriod) caps a burst, it reserves nothing. An
 * estimate, to be checked against the reliability issue's whole-room rehearsal.
 */
export const LEARNER_CPU = 0.02;
/** The VM lab's qemu: guest RAM (isoplay-vm's default -m 96) and qemu's own memory. */
export const VM_FOOTPRINT_BYTES = (96 + 64) * MiB;

export interface HostFacts {
  memTotalBytes: number;
  pidMax: number;
}

export function hostFacts(): HostFacts {
  let pidMax = 32768;
  try {
    pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || pidMax;
  } catch {
    // not Linux: the kernel's default
  }
  return { memTotalBytes: os.totalmem(), pidMax };
}

export type CapacityConfig = Pick<Config, 'serverReserveBytes' | 'sandboxesCpus' | 'maxSessions' | 'limits'>;

export interface Capacity {
  /** Learners (one seat each) this host holds: the smallest of the four. */
  seats: number;
  by: { memory: number; cpu: number; pids: number; maxSessions: number };
  /** Which one limits. */
  limitedBy: 'memory' | 'cpu' | 'pids' | 'maxSessions';
  formula: string;
}

export const FORMULA =
  'seats = min(floor((MemTotal − server reserve) / memory limit), floor(sandbox CPUs / 0.02 CPU per learner), floor(pid_max / 2 / pids limit), max sessions); a lab that boots a VM costs 1 + ceil(160 MiB / memory limit) seats';

export function hostCapacity(c: CapacityConfig, h: HostFacts = hostFacts()): Capacity {
  const by = {
    memory: Math.max(0, Math.floor((h.memTotalBytes - c.serverReserveBytes) / c.limits.memoryBytes)),
    cpu: Math.max(0, Math.floor(c.sandboxesCpus / LEARNER_CPU + 1e-9)),
    pids: Math.max(0, Math.floor(h.pidMax / 2 / c.limits.pids)),
    maxSessions: c.maxSessions,
  };
  const limitedBy = (Object.keys(by) as (keyof typeof by)[]).reduce((a, b) => (by[b] < by[a] ? b : a), 'memory' as keyof typeof by);
  return { seats: by[limitedBy], by, limitedBy, formula: FORMULA };
}

/** Seats one learner in this lab takes. */
export function seatCost(vmLab: boolean, c: Pick<Config, 'limits'>): number {
  return vmLab ? 1 + Math.ceil(VM_FOOTPRINT_BYTES / c.limits.memoryBytes) : 1;
}

export interface WorkshopNeed {
  /** Seats per learner: the costliest lab of the path (a learner may be in any of them). */
  perLearner: number;
  /** For `learners` learners (the workshop's limit, or who joined so far). */
  learners: number;
  total: number;
  vmLabs: string[];
}

export function workshopNeed(path: { id: string; vm: boolean }[], learners: number, c: Pick<Config, 'limits'>): WorkshopNeed {
  const perLearner = Math.max(1, ...path.map((l) => seatCost(l.vm, c)));
  return { perLearner, learners, total: perLearner * learners, vmLabs: path.filter((l) => l.vm).map((l) => l.id) };
}
