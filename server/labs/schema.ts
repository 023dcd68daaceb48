// The one schema every lab.yaml is validated against at start-up (zod). Errors name the field.
import { z } from 'zod';

const relFile = (dir: string) =>
  z.string().regex(new RegExp(`^${dir}/[A-Za-z0-9._-]+$`), { message: `expected a file under ${dir}/` });

export const PredictSchema = z.strictObject({
  question: z.string().min(5),
  options: z.array(z.string().min(1)).min(2).max(6),
  answer: z.number().int().min(0),
  explain: z.string().min(5),
});

/** A file for every host, or one per cgroup version (`{ v1: …, v2: … }`) where the kernel's files differ. */
const perMode = (dir: string) => z.union([relFile(dir), z.strictObject({ v1: relFile(dir), v2: relFile(dir) })]);

export const StepSchema = z.strictObject({
  title: z.string().min(3).max(80),
  text: perMode('steps'),
  check: perMode('checks'),
  /** kernel: judges kernel state from the host's side (default; cannot be faked from inside). file: judges the learner's files, as the sandbox's root. */
  checkKind: z.enum(['kernel', 'file']).default('kernel'),
  solve: perMode('solve'),
  /**
   * Why a check can fail, by stable id (what an instructor's heatmap counts), with the message shown
   * when the check gives none. A check fails with `fail <id> [message]` (see server/labs/checker.ts).
   */
  failures: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: 'expected a reason id of lowercase letters, digits and dashes' }), z.string().min(3).max(300)).default({}),
  terminal: z.string().optional(),
  hints: z.array(z.string().min(3)).max(5).default([]),
  predict: PredictSchema.optional(),
  /** The solve script may take this long (seconds; default three check timeouts): booting a VM does. */
  solveTimeoutSec: z.number().int().min(1).max(300).optional(),
});

export const LabSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected lowercase letters, digits and dashes' }),
  title: z.string().min(3).max(80),
  summary: z.string().min(10).max(400),
  level: z.enum(['beginner', 'intermediate', 'advanced']),
  minutes: z.number().int().min(1).max(240),
  /** Where the lab sits in the catalog (lower first); ties go by level, then id. */
  order: z.number().int().min(0).max(1000).default(100),
  requires: z
    .strictObject({
      userns: z.boolean().default(true),
      cgroup: z.enum(['v1', 'v2', 'any']).default('any'),
      kvm: z.boolean().default(false),
      /** The lab boots `isoplay-vm` (qemu and the VM image that scripts/build-vm.sh builds). */
      vm: z.boolean().default(false),
    })
    .default({ userns: true, cgroup: 'any', kvm: false, vm: false }),
  terminals: z
    .array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/), title: z.string().optional() }))
    .min(1)
    .max(4)
    .default([{ name: 'shell' }]),
  steps: z.array(StepSchema).min(1).max(30),
});

export type LabManifest = z.infer<typeof LabSchema>;
export type LabStep = z.infer<typeof StepSchema>;

/** labs/paths.yaml: suggested paths through the catalogue (a half-day workshop), lab ids in order. */
export const PathsSchema = z.array(
  z.strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'expected lowercase letters, digits and dashes' }),
    title: z.string().min(3).max(80),
    labs: z.array(z.string()).min(1).max(30),
  }),
);

/** A language tag such as pt-BR: the file labs/<id>/i18n/<tag>.yaml, and ?lang=<tag> on the API. */
export const LANG_TAG = /^[a-z]{2}(-[A-Z]{2})?$/;

/**
 * labs/<id>/i18n/<lang>.yaml: every field optional, English where one is missing. A step's list
 * (hints, options) replaces the English one only when it has as many entries.
 */
export const TranslationSchema = z.strictObject({
  title: z.string().min(3).max(80).optional(),
  summary: z.string().min(10).max(400).optional(),
  steps: z
    .array(
      z.strictObject({
        title: z.string().min(3).max(80).optional(),
        text: perMode('steps').optional(),
        hints: z.array(z.string().min(3)).max(5).optional(),
        predict: z.strictObject({ question: z.string().min(5).optional(), options: z.array(z.string().min(1)).max(6).optional(), explain: z.string().min(5).optional() }).optional(),
        failures: z.record(z.string(), z.string().min(3).max(300)).optional(),
      }),
    )
    .default([]),
});

export type LabTranslation = z.infer<typeof TranslationSchema>;
