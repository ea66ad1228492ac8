// PACS tests: a real Orthanc (DICOMweb plugin) started by the tests. Run them with `npm run test:pacs`,
// which puts the test run in a private network namespace first (Orthanc always binds 0.0.0.0).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/pacs/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
