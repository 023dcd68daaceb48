import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, loadLab, vmUnavailable } from '../../server/labs/catalog.js';
import { parseBlocks } from '../../server/labs/markdown.js';
import { LabService, publicLab } from '../../server/labs/service.js';
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

  it('loads every real lab in labs/, in learning order', async () => {
    const cat = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), facts);
    const folders = fs.readdirSync(path.join(PROJECT_ROOT, 'labs')).filter((f) => fs.existsSync(path.join(PROJECT_ROOT, 'labs', f, 'lab.yaml')));
    expect([...cat.labs.keys()].sort()).toEqual(folders.sort());
    // lab.yaml `order`, not the folders' alphabetical order: the first lab a newcomer meets comes first.
    const orders = [...cat.labs.values()].map((l) => l.manifest.order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    for (const lab of cat.labs.values()) expect(lab.steps.length).toBeGreaterThan(0);
  });

  it('loads the suggested paths, and refuses one that names a lab the catalogue lacks', async () => {
    const real = await loadCatalog(path.join(PROJECT_ROOT, 'labs'), facts);
    expect(real.paths[0].id).toBe('half-day');
    expect(real.paths[0].labs.every((id) => real.labs.has(id))).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoplay-paths-'));
    fs.cpSync(path.join(fixtures, 'per-mode'), path.join(dir, 'per-mode'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'paths.yaml'), '- id: short\n  title: A short path\n  labs: [per-mode, nowhere]\n');
    await expect(loadCatalog(dir, facts)).rejects.toThrow(/paths\.yaml: \[0\]\.labs\[1\]: expected a lab of this catalogue, found "nowhere"/);
    fs.writeFileSync(path.join(dir, 'paths.yaml'), '- id: short\n  title: A short path\n  labs: [per-mode]\n');
    const svc = new LabService(await loadCatalog(dir, facts), undefined as never, undefined as never, undefined as never);
    expect(svc.paths()).toEqual([{ id: 'short', title: 'A short path', labs: ['per-mode'], minutes: 5 }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists a lab the host cannot run as unavailable, with the reason', () => {
    const lab = loadLab(path.join(fixtures, 'needs-v2'), { cgroupMode: 'v1' });
    expect(lab.available).toBe(false);
    expect(lab.reason).toBe('needs cgroup v2; this host uses v1');
    expect(loadLab(path.join(fixtures, 'needs-v2'), { cgroupMode: 'v2' }).available).toBe(true);
  });

  it('serves the per-version files of the host\'s cgroup version, marks the step, and keeps failures and check kinds', () => {
    const v1 = loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v1' });
    const v2 = loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v2' });
    expect([v1.steps[1].markdown.trim(), v1.steps[1].checkScript.trim(), v1.steps[1].variant]).toEqual(['On this host, cgroup v1.', 'pass v1', 'v1']);
    expect([v2.steps[1].markdown.trim(), v2.steps[1].checkScript.trim(), v2.steps[1].variant]).toEqual(['On this host, cgroup v2.', 'pass v2', 'v2']);
    expect(v1.steps[0].variant).toBeUndefined();
    expect(v1.steps[0].failures).toEqual({ 'not-yet': 'Not there yet.' });
    expect([v1.steps[0].checkKind, v1.steps[1].checkKind]).toEqual(['kernel', 'file']);
    expect(v1.cgroupMode).toBe('v1');
  });

  it('validates both versions\' files whatever the host runs, and names a bad reason id', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'per-mode-'));
    fs.cpSync(path.join(fixtures, 'per-mode'), path.join(dir, 'per-mode'), { recursive: true });
    fs.rmSync(path.join(dir, 'per-mode/checks/02-v2.sh'));
    let e: IsoplayError | undefined;
    try {
      loadLab(path.join(dir, 'per-mode'), { cgroupMode: 'v1' });
    } catch (err) {
      e = err as IsoplayError;
    }
    expect(e?.message).toContain('steps[1].check.v2');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(loadError('bad-reason').message).toMatch(/steps\[0\]\.failures\.Not_Yet: expected a reason id/);
  });

  it('serves a translation where it has one and English for the rest; a failure translates by its reason id', () => {
    const lab = loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v1' });
    const pt = publicLab(lab, 'pt-BR');
    expect([pt.lang, pt.languages, pt.title, pt.summary]).toEqual(['pt-BR', ['en', 'pt-BR'], 'Um laboratório com um texto por versão de cgroup', lab.manifest.summary]);
    expect([pt.steps[0].title, pt.steps[0].markdown.trim(), pt.steps[1].title]).toEqual(['Passo comum', 'Texto comum.', 'Per-version step']);
    const en = publicLab(lab, 'fr');
    expect([en.lang, en.title]).toEqual(['en', lab.manifest.title]);
    expect(lab.translations.get('pt-BR')!.steps[0].failures).toEqual({ 'not-yet': 'Ainda não.' });
  });

  it('translates a per-version text per version: the host\'s is served, both are validated', () => {
    const v1 = publicLab(loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v1' }), 'pt-BR');
    const v2 = publicLab(loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v2' }), 'pt-BR');
    expect([v1.steps[1].markdown.trim(), v2.steps[1].markdown.trim()]).toEqual(['Neste host, cgroup v1.', 'Neste host, cgroup v2.']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'per-mode-'));
    fs.cpSync(path.join(fixtures, 'per-mode'), path.join(dir, 'per-mode'), { recursive: true });
    fs.rmSync(path.join(dir, 'per-mode/steps/02-v2.pt-BR.md'));
    expect(() => loadLab(path.join(dir, 'per-mode'), { cgroupMode: 'v1' })).toThrow(/i18n\/pt-BR\.yaml: steps\[1\]\.text\.v2: expected an existing file/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts a lab\'s checks/lib.sh before each of its checks', () => {
    const lab = loadLab(path.join(PROJECT_ROOT, 'labs/containers-vs-vms'), { cgroupMode: 'v1' });
    const lib = fs.readFileSync(path.join(PROJECT_ROOT, 'labs/containers-vs-vms/checks/lib.sh'), 'utf8');
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'labs/containers-vs-vms/checks/01.sh'), 'utf8')).not.toContain('real_qemus() {');
    for (const step of lab.steps) expect(step.checkScript.startsWith(lib.trimEnd())).toBe(true);
    expect(loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v1' }).steps[1].checkScript.trim()).toBe('pass v1');
  });

  it('a failed check is told in the learner\'s language by its reason id; other results and unknown languages stay as they are', () => {
    const lab = loadLab(path.join(fixtures, 'per-mode'), { cgroupMode: 'v1' });
    const svc = new LabService({ labs: new Map(), paths: [], get: () => undefined }, undefined as never, undefined as never, undefined as never);
    const sl = { lab } as never;
    const failed = { status: 'failed' as const, message: 'Not yet (process 12).', reason: 'not-yet', step: 0, progress: undefined as never };
    expect(svc.translated(sl, failed, 'pt-BR').message).toBe('Ainda não.');
    expect(svc.translated(sl, failed, 'fr').message).toBe('Not yet (process 12).');
    expect(svc.translated(sl, { ...failed, reason: undefined }, 'pt-BR').message).toBe('Not yet (process 12).');
    expect(svc.translated(sl, { ...failed, status: 'passed' }, 'pt-BR').message).toBe('Not yet (process 12).');
  });

  it('refuses a translation that names a reason id the lab does not declare, naming the file and field', () => {
    let e: IsoplayError | undefined;
    try {
      loadLab(path.join(PROJECT_ROOT, 'tests/fixtures/labs-bad-i18n/bad-i18n'), { cgroupMode: 'v1' });
    } catch (err) {
      e = err as IsoplayError;
    }
    expect(e?.message).toMatch(/bad-i18n\/i18n\/pt-BR\.yaml: steps\[0\]\.failures\.unknown-id: expected one of the lab's reason ids \(not-yet\)/);
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
    expect(vmUnavailable(undefined, false)).toBe('labs that boot a VM are turned off on this server (--vm-labs off)');
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
