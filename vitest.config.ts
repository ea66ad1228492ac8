import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Needs reference.json from the trained demo models (tools/export_reference.py): the models
    // bundled now are untrained placeholders, so there is no torch reference to compare with.
    exclude: ['test/unit/model-reference.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
