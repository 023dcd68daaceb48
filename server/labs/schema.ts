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

export const StepSchema = z.strictObject({
  title: z.string().min(3).max(80),
  text: relFile('steps'),
  check: relFile('checks'),
  solve: relFile('solve'),
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
