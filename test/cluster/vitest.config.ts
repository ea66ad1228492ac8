// Cluster tests: a real redis-server and real worker processes on test hosts (network namespaces),
// started by the tests. Run them with `npm run test:cluster`, which puts the test run in a private
// network namespace first (the hub: Redis listens there, reachable from the hosts over veth only).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    environment: 'node',
    // About 2 minutes on an idle 2-core machine; the limits leave room for a busy one.
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
