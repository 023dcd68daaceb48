// The lab catalog, loaded and validated at boot. A broken lab stops the start with the file, the
// field, what was expected and what was found. Labs whose `requires` the host cannot meet are
// listed as unavailable with the reason, not hidden.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { IsoplayError } from '../errors.js';
import { LabSchema, type LabManifest } from './schema.js';
import { parseBlocks } from './markdown.js';
import { PROJECT_TOOLS_DIR } from '../sandbox/rootfs/etc-files.js';

export interface HostCapabilities {
  cgroupMode: 'v1' | 'v2' | null;
  kvm?: boolean;
  /** Why `isoplay-vm` cannot run here, or undefined when it can (see vmUnavailable). */
  vmMissing?: string;
}

/** Why a VM cannot boot in a sandbox on this host, or undefined when it can. */
export function vmUnavailable(toolsDir = PROJECT_TOOLS_DIR): string | undefined {
  if (!fs.existsSync('/usr/bin/qemu-system-x86_64')) return 'needs qemu-system-x86 on the host (apt-get install qemu-system-x86)';
  for (const f of ['vm/vmlinuz', 'vm/initramfs.cpio.gz', 'bin/isoplay-vm']) {
    if (!fs.existsSync(path.join(toolsDir, f))) return `needs the VM image: run scripts/build-vm.sh (${f} is missing)`;
  }
  return undefined;
}

export interface LoadedStep {
  title: string;
  markdown: string;
  checkScript: string;
  solveScript: string;
  terminal: string;
  hints: string[];
  predict?: LabManifest['steps'][number]['predict'];
  solveTimeoutSec?: number;
}

/** How long a step's solve may run: its own solveTimeoutSec, and never less than three check timeouts. */
export function solveTimeoutMs(step: { solveTimeoutSec?: number }, checkTimeoutMs: number): number {
  return Math.max(checkTimeoutMs * 3, (step.solveTimeoutSec ?? 0) * 1000);
}

export interface Lab {
  id: string;
  dir: string;
  manifest: LabManifest;
  steps: LoadedStep[];
  setupScript?: string;
  cleanupScript?: string;
  available: boolean;
  reason?: string;
}

export interface LabCatalog {
  labs: Map<string, Lab>;
  get(id: string): Lab | undefined;
}

function invalid(file: string, detail: string): IsoplayError {
  return new IsoplayError('ISOPLAY_ERR_LAB_INVALID', { file, detail });
}

function readRequired(dir: string, rel: string, field: string, labFile: string): string {
  const full = path.join(dir, rel);
  if (!fs.existsSync(full)) throw invalid(labFile, `${field}: expected an existing file, found "${rel}" (missing)`);
  return fs.readFileSync(full, 'utf8');
}

export function loadLab(dir: string, facts: HostCapabilities): Lab {
  const labFile = path.join(dir, 'lab.yaml');
  if (!fs.existsSync(labFile)) throw invalid(labFile, 'missing lab.yaml');
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(labFile, 'utf8'));
  } catch (e) {
    throw invalid(labFile, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = LabSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)';
    const found = issue.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k as string] : undefined), raw);
    throw invalid(labFile, `${field}: ${issue.message}, found ${found === undefined ? 'nothing' : JSON.stringify(found)}`);
  }
  const m = parsed.data;
  if (m.id !== path.basename(dir)) throw invalid(labFile, `id: expected "${path.basename(dir)}" (the folder's name), found "${m.id}"`);
  const terminals = new Set(m.terminals.map((t) => t.name));
  const steps = m.steps.map((s, i) => {
    const field = `steps[${i}]`;
    if (s.terminal && !terminals.has(s.terminal)) throw invalid(labFile, `${field}.terminal: expected one of ${[...terminals].join(', ')}, found "${s.terminal}"`);
    if (s.predict && s.predict.answer >= s.predict.options.length) {
      throw invalid(labFile, `${field}.predict.answer: expected an index below ${s.predict.options.length}, found ${s.predict.answer}`);
    }
    const markdown = readRequired(dir, s.text, `${field}.text`, labFile);
    const { blocks, errors } = parseBlocks(markdown);
    if (errors.length) throw invalid(path.join(dir, s.text), errors[0]);
    for (const b of blocks) {
      if (b.kind === 'exec' && b.terminal && !terminals.has(b.terminal)) {
        throw invalid(path.join(dir, s.text), `line ${b.line}: exec block names terminal "${b.terminal}", expected one of ${[...terminals].join(', ')}`);
      }
    }
    return {
      title: s.title,
      markdown,
      checkScript: readRequired(dir, s.check, `${field}.check`, labFile),
      solveScript: readRequired(dir, s.solve, `${field}.solve`, labFile),
      terminal: s.terminal ?? m.terminals[0].name,
      hints: s.hints,
      predict: s.predict,
      solveTimeoutSec: s.solveTimeoutSec,
    };
  });
  const opt = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
  let reason: string | undefined;
  if (m.requires.cgroup !== 'any' && facts.cgroupMode !== m.requires.cgroup) {
    reason = `needs cgroup ${m.requires.cgroup}; this host uses ${facts.cgroupMode ?? 'no cgroups (host mode)'}`;
  } else if (m.requires.kvm && !facts.kvm) {
    reason = 'needs hardware KVM, which this host lacks';
  } else if (m.requires.vm && facts.vmMissing) {
    reason = facts.vmMissing;
  } else if (facts.cgroupMode === null) {
    reason = 'needs sandbox mode (the server runs in host mode)';
  }
  return { id: m.id, dir, manifest: m, steps, setupScript: opt('setup.sh'), cleanupScript: opt('cleanup.sh'), available: !reason, reason };
}

const LEVELS = ['beginner', 'intermediate', 'advanced'];

export async function loadCatalog(labsDir: string, facts: HostCapabilities): Promise<LabCatalog> {
  const loaded: Lab[] = [];
  if (fs.existsSync(labsDir)) {
    for (const name of fs.readdirSync(labsDir).sort()) {
      const dir = path.join(labsDir, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      loaded.push(loadLab(dir, facts));
    }
  }
  // A learner who has never typed unshare sees the first lab first: by `order`, level, then id.
  loaded.sort((a, b) => a.manifest.order - b.manifest.order || LEVELS.indexOf(a.manifest.level) - LEVELS.indexOf(b.manifest.level) || a.id.localeCompare(b.id));
  const labs = new Map(loaded.map((l) => [l.id, l]));
  return { labs, get: (id) => labs.get(id) };
}
