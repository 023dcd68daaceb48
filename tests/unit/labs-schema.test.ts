import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, loadLab, vmUnavailable } from '../../server/labs/catalog.js';
import { parseBlocks } from '../../server/labs/markdown.js';
import { PROJECT_ROOT } from '../../server/config.js';
import type { IsoplayError } from '../../server/errors.js';

const fixtures = path.join(PROJECT_ROOT, 'tests/fixtures/labs');
const facts = { cgroupMode: 'v1' as const };

function loadError(name: string): IsoplayError {
  try {
    loadLab(path.join(fixtures, name), facts);
  } catch (e) {
    return e as IsoplayError;
  }
  throw new Error(`${name} loaded without error`);
}

describe('lab schema', () => {
  it('names the file, the field, what was expected and what was found', () => {
    const e = loadError('bad-level');
    expect(e.code).toBe('ISOPLAY_ERR_LAB_INVALID');
    expect(e.message).toContain('bad-level/lab.yaml');
    expect(e.message).toContain('level:');
    expect(e.message).toContain('"expert"');
  });

  it('names a missing script by its field', () => {
    const e = loadError('missing-check');
    expect(e.message).toContain('steps[0].check');
    expect(e.message).toContain('checks/01.sh');
    expect(e.message).toContain('missing');
  });

  it('rejects a step whose code block is never closed, naming the markdown file and line', () => {
    const e = loadError('open-fence');
    expect(e.message).toContain('open-fence/steps/01.md');
    expect(e.message).toContain('line 3');
  });

  it('rejects an exec block naming a terminal the lab does not have', () => {
    expect(loadError('bad-terminal').message).toContain('"nowhere"');
  });

  it('loads every real lab in labs/', async () => {
    const cat = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), facts);
    // In learning order (lab.yaml `order`), not the folders' alphabetical order.
    expect([...cat.labs.keys()]).toEqual(['first-namespace', 'cgroup-memory', 'containers-vs-vms', 'microservices']);
    for (const lab of cat.labs.values()) expect(lab.steps.length).toBeGreaterThan(0);
  });

  it('lists a lab the host cannot run as unavailable, with the reason', async () => {
    const cat = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), { cgroupMode: 'v2' });
    const lab = cat.get('cgroup-memory')!;
    expect(lab.available).toBe(false);
    expect(lab.reason).toMatch(/needs cgroup v1/);
    expect(cat.get('first-namespace')!.available).toBe(true);
  });

  it('lists the VM lab as unavailable with the reason when the host cannot boot a VM', async () => {
    const cat = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), { cgroupMode: 'v1', vmMissing: 'needs qemu-system-x86 on the host' });
    expect(cat.get('containers-vs-vms')).toMatchObject({ available: false, reason: 'needs qemu-system-x86 on the host' });
    expect(cat.get('first-namespace')!.available).toBe(true);
    const ok = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), { cgroupMode: 'v1' });
    expect(ok.get('containers-vs-vms')!.available).toBe(true);
  });

  it('vmUnavailable names what is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-novm-'));
    expect(vmUnavailable(empty)).toMatch(fs.existsSync('/usr/bin/qemu-system-x86_64') ? /needs the VM image: run scripts\/build-vm.sh \(vm\/vmlinuz is missing\)/ : /qemu-system-x86/);
  });
});

describe('step markdown', () => {
  it('finds exec, copy and plain blocks with their terminal', () => {
    const { blocks, errors } = parseBlocks('a\n```exec\nls\n```\n```exec terminal=observer\nps\n```\n```copy\nx\n```\n```\nplain\n```\n');
    expect(errors).toEqual([]);
    expect(blocks.map((b) => [b.kind, b.terminal, b.code])).toEqual([
      ['exec', undefined, 'ls'], ['exec', 'observer', 'ps'], ['copy', undefined, 'x'], ['plain', undefined, 'plain'],
    ]);
  });
});
