import { defineConfig } from 'vitest/config';

/** The vitest configuration every package uses (its vitest.config.ts re-exports it). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // The JSON report is what .ci/run sums into its "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
