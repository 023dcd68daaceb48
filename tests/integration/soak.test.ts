// A short soak (bench/soak.ts; `npm run bench -- --only soak` runs 1000 cycles): 60 create-use-destroy
// cycles, each making a child cgroup and a network namespace inside its sandbox, leave nothing of the
// server's instance on the host (cgroups, netns, links, mounts, processes, state files), during the
// run and after the server stops; the server's RSS grows by less than SOAK_RSS_BOUND_MIB.
import { describe, expect, it } from 'vitest';
import { soak, SOAK_RSS_BOUND_MIB } from '../../bench/soak.js';

describe('soak', () => {
  it(`40 create-use-destroy cycles (child cgroup + netns each) leave no isoplay object behind, and the server's RSS grows by less than ${SOAK_RSS_BOUND_MIB} MiB`, async () => {
    const f = await soak(40, 4);
    console.log(`soak: ${f.cycles} cycles in ${f.seconds.toFixed(1)} s, RSS ${f.rssStartMiB.toFixed(1)} -> ${f.rssEndMiB.toFixed(1)} MiB`);
    expect(f.failed).toEqual([]);
    expect(f.leftovers).toEqual({ cgroups: [], netns: [], links: [], mounts: [], stateFiles: [], processes: [] });
    expect(f.afterStop).toEqual({ cgroups: [], netns: [], links: [], mounts: [], stateFiles: [], processes: [] });
    expect(f.rssEndMiB - f.rssStartMiB).toBeLessThan(SOAK_RSS_BOUND_MIB);
  }, 300_000);
});
