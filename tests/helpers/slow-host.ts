/**
 * The one setting tests take from their environment: CI's emulated cgroup v2 VM (TCG) starts a
 * sandbox 12-18 times slower than a host does, slower still while the host's own phases share its
 * two cores, and scripts/v2-vm-job.sh raises the wait there. Everything else in a test's config is
 * the test's own.
 */
export const SLOW_HOST_ENV: Readonly<Record<string, string | undefined>> = {
  ISOPLAY_SANDBOX_START_TIMEOUT_MS: process.env.ISOPLAY_SANDBOX_START_TIMEOUT_MS,
};
