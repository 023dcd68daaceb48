// Lints the Dockerfile with an npm Dockerfile parser (dockerfile-ast; hadolint is not on npm): its
// stages, the Node 24 LTS bases, what the runtime stage installs, and the entry point. The image is
// not built here (no Docker engine on this host).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const df = DockerfileParser.parse(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const froms = df.getFROMs();
const all = df.getInstructions();
const runtimeStart = all.indexOf(froms[froms.length - 1]);
const runtime = all.slice(runtimeStart);
const args = (i: Instruction) => i.getArgumentsContent() ?? '';

describe('Dockerfile', () => {
  it('has two stages: a build on node:24-bookworm and a runtime on node:24-bookworm-slim', () => {
    expect(froms.map((f) => [f.getImageName(), f.getImageTag(), f.getBuildStage()])).toEqual([
      ['node', '24-bookworm', 'build'],
      ['node', '24-bookworm-slim', 'runtime'],
    ]);
  });

  it('fetches nothing by ADD (no remote URLs, no ADD at all)', () => {
    expect(all.filter((i) => i.getKeyword() === 'ADD').map(args)).toEqual([]);
    expect(all.filter((i) => /https?:\/\//.test(args(i)) && i.getKeyword() !== 'RUN' && i.getKeyword() !== 'HEALTHCHECK')).toEqual([]);
  });

  it('cleans the apt lists in the same RUN that filled them, without recommended packages', () => {
    const apt = all.filter((i) => i.getKeyword() === 'RUN' && /apt-get install/.test(args(i)));
    expect(apt.length).toBe(2);
    for (const i of apt) {
      expect(args(i)).toContain('--no-install-recommends');
      expect(args(i)).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
    }
    for (const i of all.filter((x) => x.getKeyword() === 'RUN' && /apt-get update/.test(args(x)))) expect(args(i)).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('the runtime stage installs the sandbox\'s packages and no compiler', () => {
    const run = runtime.filter((i) => i.getKeyword() === 'RUN').map(args).join('\n');
    expect(run).toContain('IMAGE_RUNTIME_PACKAGES');
    expect(run).not.toMatch(/npm (ci|install)|build-native|vite build/);
    const pkgs = execFileSync('bash', ['-c', '. scripts/apt-packages.sh; printf "%s\\n" "${IMAGE_RUNTIME_PACKAGES[@]}"'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    for (const p of ['util-linux', 'iproute2', 'cgroup-tools', 'libseccomp2', 'busybox-static', 'curl']) expect(pkgs).toContain(p);
    for (const p of ['build-essential', 'libseccomp-dev', 'python3']) expect(pkgs).not.toContain(p);
  });

  it('copies only from the build stage what runs: node_modules, build, dist, server, labs, deploy', () => {
    const copies = runtime.filter((i) => i.getKeyword() === 'COPY' && /--from=/.test(i.getTextContent()));
    const from = copies.map((c) => /--from=(\S+)/.exec(c.getTextContent())![1]);
    expect(new Set(from)).toEqual(new Set(['build']));
    const text = copies.map((c) => c.getTextContent()).join('\n');
    for (const d of ['node_modules', 'build', 'dist', 'server', 'labs', 'deploy']) expect(text).toContain(`/src/${d} ./${d}`);
  });

  it('runs as root with the doctor-first entry point, a health check on /healthz, and the port it exposes', () => {
    const kw = (k: string) => runtime.filter((i) => i.getKeyword() === k);
    expect(kw('USER').map(args)).toEqual(['root']);
    const entry = JSON.parse(args(kw('ENTRYPOINT')[0]));
    expect(entry).toEqual(['/opt/isoplay/deploy/docker-entrypoint.sh']);
    const script = path.join(ROOT, 'deploy/docker-entrypoint.sh');
    expect(fs.statSync(script).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(script, 'utf8')).toMatch(/server\/cli\.ts doctor/);
    expect(args(kw('HEALTHCHECK')[0])).toContain('/healthz');
    const env = args(kw('ENV')[0]);
    expect(kw('EXPOSE').map(args)).toEqual([/PORT=(\d+)/.exec(env)![1]]);
    expect(env).toContain('HOST=0.0.0.0');
  });

  it('.dockerignore keeps the checkout\'s node_modules and build out of the context', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const d of ['node_modules', 'build', 'dist', '.git']) expect(ignore).toContain(d);
  });
});
