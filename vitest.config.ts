import { defineConfig } from 'vitest/config';

// Three suites (STYLE.md: vitest projects): unit (pure, fake cgroupfs), integration (real kernel,
// real server; files run one at a time so sandboxes do not fight over 2 cores), e2e (real chromium).
// tests/v2 runs only inside the pure-cgroup-v2 VM (scripts/run-in-v2-vm.sh).
export default defineConfig({
  test: {
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          // Its scratch directories go at the end too (the real-kernel suites' teardown).
          globalSetup: ['tests/helpers/global-teardown.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-teardown.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-teardown.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'v2',
          // The v2 suite, and the attacks whose target differs on pure cgroup v2 (its freezer, its
          // limit files, the per-user caps root may lower there, the i386 entry point under TCG).
          include: ['tests/v2/**/*.test.ts', ...['freezer', 'cgroups', 'counters', 'pid-reuse'].map((a) => `tests/integration/attacks/${a}.test.ts`)],
          globalSetup: ['tests/helpers/global-teardown.ts'],
          fileParallelism: false,
          // One module graph for every file: importing it afresh per file cost about 170 s of the
          // emulated VM's time (TCG), more than the tests themselves.
          isolate: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
