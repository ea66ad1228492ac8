// Cluster tests: a real redis-server and real worker processes on test hosts (network namespaces),
// started by the tests. Run them with `npm run test:cluster`, which puts the test run in a private
// network namespace first (the hub: Redis listens there, reachable from the hosts over veth only).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    environment: 'node',
    // The run is 2 x 12 evaluate cases (a local reference and the queue) plus the recoveries; each case
    // computes the whole metric suite (~30 s of CPU per Grad-CAM case on these 2 cores, 2026-12), so
    // the limits leave room for a busy machine.
    testTimeout: 600_000,
    hookTimeout: 2_400_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
